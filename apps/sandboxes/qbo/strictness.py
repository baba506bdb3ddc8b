"""What QBO refuses, refused the same way by the sandbox.

Queries: which fields QBO lets a query filter or sort on (Intuit's API reference marks them
"filterable" / "sortable" per entity). QBO answers any other field — unknown or simply not
queryable — with 400 and a QueryValidationError (code 4001); so does the sandbox, so our client
is tested against QBO's strictness, not a looser double.

The sets below are the filterable fields Intuit documents for the entities we sync, matched
case-insensitively as QBO does; entities not listed allow the common ones and the usual
transaction fields.
"""

from __future__ import annotations

from .errors import invalid, query_validation_error, unsupported
from .query import Query

COMMON = {"id", "metadata.createtime", "metadata.lastupdatedtime"}
TRANSACTION = {"txndate", "docnumber", "totalamt"}
NAMES = {"displayname", "givenname", "familyname", "companyname", "printoncheckname",
         "primaryemailaddr", "active", "balance"}
FILTERABLE: dict[str, set[str]] = {
    "Account": {"name", "subaccount", "parentref", "description", "active", "classification",
                "fullyqualifiedname", "accounttype", "accountsubtype", "currentbalance",
                "currentbalancewithsubaccounts", "acctnum", "currencyref"},
    "Vendor": NAMES,
    "Customer": NAMES | {"fullyqualifiedname", "job", "parentref", "balancewithjobs"},
    "Employee": NAMES - {"balance", "companyname"},
    "Bill": TRANSACTION | {"duedate", "vendorref", "balance", "apaccountref", "currencyref"},
    "Invoice": TRANSACTION | {"duedate", "customerref", "balance", "emailstatus", "printstatus",
                              "currencyref"},
    "Payment": TRANSACTION | {"customerref", "paymentrefnum", "unappliedamt"},
    "BillPayment": TRANSACTION | {"vendorref", "paytype"},
    "CreditMemo": TRANSACTION | {"customerref", "balance", "remainingcredit"},
    "VendorCredit": TRANSACTION | {"vendorref"},
    "Purchase": TRANSACTION | {"paymenttype", "accountref", "entityref", "credit"},
    "Deposit": TRANSACTION | {"deposittoaccountref"},
    "Transfer": TRANSACTION | {"fromaccountref", "toaccountref", "amount"},
    "JournalEntry": TRANSACTION | {"adjustment"},
    "SalesReceipt": TRANSACTION | {"customerref", "deposittoaccountref"},
    "RefundReceipt": TRANSACTION | {"customerref", "deposittoaccountref"},
    "CreditCardPayment": TRANSACTION | {"amount", "bankaccountref", "creditcardaccountref"},
    "ExchangeRate": {"sourcecurrencycode", "targetcurrencycode", "asofdate"},
    "CompanyCurrency": {"code", "name", "active"},
    "Class": {"name", "active", "fullyqualifiedname", "subclass", "parentref"},
    "Department": {"name", "active", "fullyqualifiedname", "subdepartment", "parentref"},
    "Attachable": {"attachableref.entityref.type", "attachableref.entityref.value",
                   "filename", "contenttype", "category"},
    "Item": {"name", "active", "type", "sku", "fullyqualifiedname"},
    "CompanyInfo": {"companyname"},
    "Preferences": set(),
}


_BY_LOWER = {name.lower(): fields for name, fields in FILTERABLE.items()}


def check_queryable(query: Query) -> None:
    """Refuse a WHERE or ORDERBY on a field QBO would refuse (400, code 4001)."""
    allowed = COMMON | _BY_LOWER.get(query.entity.lower(), TRANSACTION)
    paths = [c.path for c in query.where] + [path for path, _desc in query.order]
    for path in paths:
        name = ".".join(path)
        if name.lower() not in allowed:
            raise query_validation_error(
                f"property '{name}' is not queryable for {query.entity}"
            )


def queryable(query: Query) -> Query:
    check_queryable(query)
    return query


# Intuit (2025-08): minor versions below 75 are ignored and served as 75; one above the highest
# published is refused, as is a value that is not a number.
MINOR_VERSION_MAX = 75


def check_minorversion(value: str | None) -> None:
    if value is None or value == "":
        return
    if not value.isdigit() or int(value) > MINOR_VERSION_MAX:
        raise invalid(f"minorversion {value!r} is not supported (highest: {MINOR_VERSION_MAX})",
                      message="Invalid minorversion")


# Intuit documents voiding these with a sparse `operation=update&include=void` and the other
# voidable entities with `operation=void`; the sandbox accepts only the documented form.
VOID_BY_UPDATE = frozenset({"Payment", "BillPayment"})


def check_void_form(entity: str, operation: str, include: str) -> None:
    by_update = operation.lower() == "update" and include.lower() == "void"
    if operation.lower() != "void" and not by_update:
        return
    if by_update != (entity in VOID_BY_UPDATE):
        form = "operation=update&include=void" if entity in VOID_BY_UPDATE else "operation=void"
        raise unsupported(f"Operation {operation} is not supported for {entity}; use {form}")
