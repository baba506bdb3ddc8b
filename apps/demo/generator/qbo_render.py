"""Render the ledger as QBO v3 wire JSON: one list of entity objects per entity type, shaped
as QBO's query/read endpoints return them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .books import CURRENCY_NAMES, home
from .calendar import stamp
from .chart import ITEMS, TERMS
from .ledger import (
    Bill,
    BillPayment,
    CreditCardPayment,
    CreditMemo,
    Deposit,
    Invoice,
    JournalEntry,
    Ledger,
    Party,
    Payment,
    Purchase,
    RefundReceipt,
    SaleLine,
    SalesReceipt,
    Transfer,
    Txn,
    VendorCredit,
)
from .money import ZERO, num

USD = {"value": "USD", "name": "United States Dollar"}
NON = {"value": "NON"}


def assign_ids(led: Ledger) -> None:
    """QBO numbers names and transactions from shared counters in creation order."""
    for n, acct in enumerate(led.accounts.values(), start=1):
        acct.qbo_id = str(n)
    parties = sorted(led.customers + led.vendors, key=lambda p: (p.created, p.kind, p.name))
    for n, p in enumerate(parties, start=1):
        p.qbo_id = str(n)
    txns: list[Txn] = [*led.journal_entries, *led.invoices, *led.credit_memos, *led.payments,
                       *led.deposits, *led.bills, *led.bill_payments, *led.purchases,
                       *led.transfers, *led.sales_receipts, *led.refund_receipts,
                       *led.vendor_credits, *led.card_payments]
    txns.sort(key=lambda t: (t.date, t.seq))
    doc = 1000
    for n, t in enumerate(txns, start=100):
        t.qbo_id = str(n)
        if isinstance(t, Invoice | CreditMemo):
            doc += 1
            t.doc = str(doc)


def _meta(t: Txn) -> dict:
    created = stamp(t.date, t.seq)
    updated = stamp(t.updated, t.seq + t.updates) if t.updated else created
    return {"CreateTime": created, "LastUpdatedTime": max(created, updated)}


def currency_ref(code: str) -> dict:
    return {"value": code, "name": CURRENCY_NAMES[code]}


def _head(t: Txn) -> dict:
    d = {"Id": t.qbo_id, "SyncToken": str(t.updates), "domain": "QBO", "sparse": False,
         "MetaData": _meta(t), "TxnDate": t.date.isoformat(),
         "CurrencyRef": currency_ref(t.currency)}
    if t.rate is not None:
        d["ExchangeRate"] = float(t.rate)  # QBO writes the day's rate on foreign transactions
    return d


class Renderer:
    def __init__(self, led: Ledger, company_name: str, start: date) -> None:
        self.led, self.company_name, self.start = led, company_name, start
        self.acct = {k: {"value": a.qbo_id, "name": a.name} for k, a in led.accounts.items()}
        self.items = {key: {"value": str(n), "name": name}
                      for n, (key, name, _, _) in enumerate(ITEMS, start=1)}
        self.terms = {key: {"value": str(n), "name": name}
                      for n, (key, name, _) in enumerate(TERMS, start=1)}
        self.names_meta = {"CreateTime": stamp(start, 1), "LastUpdatedTime": stamp(start, 1)}

    def ref(self, p: Party) -> dict:
        return {"value": p.qbo_id, "name": p.name}

    # --- lists ---------------------------------------------------------------------------
    def accounts(self, balances: dict[str, Decimal]) -> list[dict]:
        out = []
        for key, a in self.led.accounts.items():
            # The ledger keeps what is owed positive; QBO reports a liability (the card, A/P)
            # negative when money is owed (reference/qbo-api-facts.md), and so must we.
            owed_sign = -1 if a.classification == "Liability" else 1
            bal = num(owed_sign * balances.get(key, ZERO))
            out.append({
                "Name": a.name.split(":")[-1], "SubAccount": ":" in a.name,
                "FullyQualifiedName": a.name, "Active": True, "Classification": a.classification,
                "AccountType": a.acct_type, "AccountSubType": a.subtype, "CurrentBalance": bal,
                "CurrentBalanceWithSubAccounts": bal, "CurrencyRef": currency_ref(a.currency),
                "domain": "QBO",
                "sparse": False, "Id": a.qbo_id, "SyncToken": "0", "MetaData": self.names_meta,
                **({"AcctNum": a.mask} if a.mask else {}),
            })
        return out

    def items_list(self) -> list[dict]:
        return [{"Name": name, "Description": desc, "Active": True, "FullyQualifiedName": name,
                 "Taxable": False, "UnitPrice": 0, "Type": "Service",
                 "IncomeAccountRef": self.acct[income], "PurchaseCost": 0,
                 "TrackQtyOnHand": False, "domain": "QBO", "sparse": False, "Id": str(n),
                 "SyncToken": "0", "MetaData": self.names_meta}
                for n, (_, name, income, desc) in enumerate(ITEMS, start=1)]

    def terms_list(self) -> list[dict]:
        return [{"Name": name, "Active": True, "Type": "STANDARD", "DiscountPercent": 0,
                 "DueDays": days, "domain": "QBO", "sparse": False, "Id": str(n),
                 "SyncToken": "0", "MetaData": self.names_meta}
                for n, (_, name, days) in enumerate(TERMS, start=1)]

    def party(self, p: Party, balance: Decimal) -> dict:
        addr = {"Id": str(10000 + int(p.qbo_id)), "Line1": p.street or "1 Main St",
                "City": p.city, "CountrySubDivisionCode": p.state, "PostalCode": p.postal,
                "Country": "USA"}
        meta = {"CreateTime": stamp(p.created, int(p.qbo_id)),
                "LastUpdatedTime": stamp(p.created, int(p.qbo_id))}
        slug = "".join(ch for ch in p.name.lower() if ch.isalnum())[:20] or "x"
        d = {"Id": p.qbo_id, "SyncToken": "0", "domain": "QBO", "sparse": False,
             "MetaData": meta, "DisplayName": p.name, "CompanyName": p.name,
             "PrintOnCheckName": p.name, "Active": True, "BillAddr": addr,
             "PrimaryEmailAddr": {"Address": f"billing@{slug}.example.com"},
             "Balance": num(balance), "CurrencyRef": currency_ref(p.currency)}
        if p.phone:
            d["PrimaryPhone"] = {"FreeFormNumber": p.phone}
        if p.kind == "Customer":
            d.update({"FullyQualifiedName": p.name, "Taxable": False, "Job": False,
                      "BillWithParent": False, "BalanceWithJobs": num(balance),
                      "PreferredDeliveryMethod": "Email", "IsProject": False,
                      "SalesTermRef": self.terms[p.term]})
        else:
            d.update({"Vendor1099": p.is_1099, "TermRef": self.terms[p.term]})
        return d

    # --- transactions --------------------------------------------------------------------
    def _sale_lines(self, lines: list[SaleLine], total: Decimal) -> list[dict]:
        out = []
        for n, ln in enumerate(lines, start=1):
            item = self.items[ln.item]
            out.append({"Id": str(n), "LineNum": n, "Description": ln.description,
                        "Amount": num(ln.amount), "DetailType": "SalesItemLineDetail",
                        "SalesItemLineDetail": {"ItemRef": item, "UnitPrice": num(ln.rate),
                                                "Qty": float(ln.qty), "TaxCodeRef": NON}})
        out.append({"Amount": num(total), "DetailType": "SubTotalLineDetail",
                    "SubTotalLineDetail": {}})
        return out

    def invoice(self, inv: Invoice) -> dict:
        d = _head(inv)
        d.update({
            "CustomField": [], "DocNumber": inv.doc,
            "LinkedTxn": [{"TxnId": p.qbo_id, "TxnType": "Payment"} for p in inv.payments],
            "Line": self._sale_lines(inv.lines, inv.total), "TxnTaxDetail": {"TotalTax": 0},
            "CustomerRef": self.ref(inv.customer), "SalesTermRef": self.terms[inv.term],
            "DueDate": inv.due.isoformat(), "TotalAmt": num(inv.total),
            "ApplyTaxAfterDiscount": False, "PrintStatus": "NotSet", "EmailStatus": "EmailSent",
            "BillEmail": {"Address": f"ap@{inv.customer.qbo_id}.client.example.com"},
            "Balance": num(inv.balance), "Deposit": 0,
        })
        if inv.rate is not None:
            d["HomeTotalAmt"] = num(home(inv.total, inv.rate))
            d["HomeBalance"] = num(home(inv.balance, inv.rate))
        return d

    def credit_memo(self, cm: CreditMemo) -> dict:
        d = _head(cm)
        d.update({
            "CustomField": [], "DocNumber": cm.doc,
            "LinkedTxn": [{"TxnId": p.qbo_id, "TxnType": "Payment"} for p in cm.payments],
            "Line": self._sale_lines(cm.lines, cm.total), "TxnTaxDetail": {"TotalTax": 0},
            "CustomerRef": self.ref(cm.customer), "TotalAmt": num(cm.total),
            "RemainingCredit": num(cm.remaining), "Balance": num(cm.remaining),
            "ApplyTaxAfterDiscount": False, "PrintStatus": "NotSet", "EmailStatus": "EmailSent",
            "CustomerMemo": {"value": cm.lines[0].description},
        })
        return d

    def payment(self, p: Payment) -> dict:
        lines = []
        for inv, amount, open_before in p.applied:
            lines.append({"Amount": num(amount),
                          "LinkedTxn": [{"TxnId": inv.qbo_id, "TxnType": "Invoice"}],
                          "LineEx": {"any": [_nv("txnId", inv.qbo_id),
                                             _nv("txnOpenBalance", str(num(open_before))),
                                             _nv("txnReferenceNumber", inv.doc)]}})
        for memo, amount in p.credits:
            lines.append({"Amount": num(amount),
                          "LinkedTxn": [{"TxnId": memo.qbo_id, "TxnType": "CreditMemo"}],
                          "LineEx": {"any": [_nv("txnId", memo.qbo_id),
                                             _nv("txnOpenBalance", str(num(memo.total))),
                                             _nv("txnReferenceNumber", memo.doc)]}})
        d = _head(p)
        d.update({"CustomerRef": self.ref(p.customer),
                  "DepositToAccountRef": self.acct[p.deposit_to],
                  "ARAccountRef": self.acct["ar"], "TotalAmt": num(p.total),
                  "UnappliedAmt": num(p.unapplied), "ProcessPayment": False, "Line": lines})
        if p.rate is not None:
            d["HomeTotalAmt"] = num(home(p.total, p.rate))
        if p.ref_num:
            d["PaymentRefNum"] = p.ref_num
        if p.deposit is not None:
            d["LinkedTxn"] = [{"TxnId": p.deposit.qbo_id, "TxnType": "Deposit"}]
        return d

    def _expense_lines(self, lines) -> list[dict]:
        return [{"Id": str(n), "Description": ln.description, "Amount": num(ln.amount),
                 "DetailType": "AccountBasedExpenseLineDetail",
                 "AccountBasedExpenseLineDetail": {"AccountRef": self.acct[ln.account],
                                                   "BillableStatus": "NotBillable",
                                                   "TaxCodeRef": NON}}
                for n, ln in enumerate(lines, start=1)]

    def bill(self, b: Bill) -> dict:
        d = _head(b)
        d.update({
            "DocNumber": b.doc, "APAccountRef": self.acct["ap"], "VendorRef": self.ref(b.vendor),
            "SalesTermRef": self.terms[b.term], "DueDate": b.due.isoformat(),
            "TotalAmt": num(b.total), "Balance": num(b.balance),
            "Line": self._expense_lines(b.lines),
            "LinkedTxn": [{"TxnId": bp.qbo_id, "TxnType": "BillPaymentCheck"
                           if bp.pay_type == "Check" else "BillPaymentCreditCard"}
                          for bp in b.payments],
        })
        return d

    def bill_payment(self, bp: BillPayment) -> dict:
        d = _head(bp)
        d.update({"VendorRef": self.ref(bp.vendor), "PayType": bp.pay_type,
                  "TotalAmt": num(bp.total), "APAccountRef": self.acct["ap"],
                  "Line": [{"Amount": num(amount),
                            "LinkedTxn": [{"TxnId": b.qbo_id, "TxnType": "Bill"}]}
                           for b, amount in bp.applied]})
        if bp.pay_type == "Check":
            d["CheckPayment"] = {"BankAccountRef": self.acct[bp.account], "PrintStatus":
                                 "PrintComplete" if bp.doc else "NotSet"}
        else:
            d["CreditCardPayment"] = {"CCAccountRef": self.acct[bp.account]}
        if bp.doc:
            d["DocNumber"] = bp.doc
        return d

    def purchase(self, p: Purchase) -> dict:
        d = _head(p)
        d.update({"AccountRef": self.acct[p.account], "PaymentType": p.payment_type,
                  "TotalAmt": num(p.total), "Line": self._expense_lines(p.lines)})
        if p.payment_type == "CreditCard":  # QBO sends Credit on card purchases only
            d["Credit"] = p.credit
        if p.vendor is not None:
            d["EntityRef"] = {**self.ref(p.vendor), "type": "Vendor"}
        if p.doc:
            d["DocNumber"] = p.doc
            d["PrintStatus"] = "PrintComplete"
        if p.memo:
            d["PrivateNote"] = p.memo
        return d

    def deposit(self, dep: Deposit) -> dict:
        lines = [{"Id": str(n), "LineNum": n, "Amount": num(p.total),
                  "LinkedTxn": [{"TxnId": p.qbo_id, "TxnType": "Payment", "TxnLineId": "0"}]}
                 for n, p in enumerate(dep.payments, start=1)]
        for r in dep.receipts:
            n = len(lines) + 1
            lines.append({"Id": str(n), "LineNum": n, "Amount": num(r.total), "LinkedTxn": [
                {"TxnId": r.qbo_id, "TxnType": "SalesReceipt", "TxnLineId": "0"}]})
        for ln in dep.lines:
            n = len(lines) + 1
            lines.append({"Id": str(n), "LineNum": n, "Description": ln.description,
                          "Amount": num(ln.amount), "DetailType": "DepositLineDetail",
                          "DepositLineDetail": {"AccountRef": self.acct[ln.account]}})
        d = _head(dep)
        d.update({"DepositToAccountRef": self.acct[dep.account], "TotalAmt": num(dep.total),
                  "Line": lines})
        if dep.memo:
            d["PrivateNote"] = dep.memo
        return d

    def transfer(self, t: Transfer) -> dict:
        d = _head(t)
        d.update({"FromAccountRef": self.acct[t.from_key], "ToAccountRef": self.acct[t.to_key],
                  "Amount": num(t.amount)})
        if t.memo:
            d["PrivateNote"] = t.memo
        return d

    def journal_entry(self, je: JournalEntry) -> dict:
        d = _head(je)
        # TotalAmt is 0 on every real journal entry: the money is in the lines.
        d.update({"Adjustment": False, "PrivateNote": je.memo, "TotalAmt": 0,
                  "Line": [{"Id": str(n), "Description": desc, "Amount": num(amount),
                            "DetailType": "JournalEntryLineDetail",
                            "JournalEntryLineDetail": {"PostingType": post,
                                                       "AccountRef": self.acct[key]}}
                           for n, (key, post, amount, desc) in enumerate(je.lines)]})
        return d


    # --- real-books transactions (books.py) ------------------------------------------------
    def _receipt(self, r: SalesReceipt | RefundReceipt) -> dict:
        d = _head(r)
        d.update({"CustomerRef": self.ref(r.customer), "Line": self._sale_lines(r.lines, r.total),
                  "TxnTaxDetail": {"TotalTax": 0}, "TotalAmt": num(r.total), "Balance": 0,
                  "DepositToAccountRef": self.acct[r.account], "PrivateNote": r.memo,
                  "PaymentMethodRef": {"value": "1", "name": "Check"},
                  "PrintStatus": "NotSet", "EmailStatus": "NotSet"})
        return d

    def sales_receipt(self, r: SalesReceipt) -> dict:
        d = self._receipt(r)
        if r.deposit is not None:
            d["LinkedTxn"] = [{"TxnId": r.deposit.qbo_id, "TxnType": "Deposit"}]
        return d

    def refund_receipt(self, r: RefundReceipt) -> dict:
        return self._receipt(r)

    def vendor_credit(self, vc: VendorCredit) -> dict:
        d = _head(vc)
        d.update({"VendorRef": self.ref(vc.vendor), "APAccountRef": self.acct["ap"],
                  "TotalAmt": num(vc.total), "Balance": num(vc.balance),
                  "PrivateNote": vc.memo, "Line": self._expense_lines(vc.lines)})
        return d

    def credit_card_payment(self, cp: CreditCardPayment) -> dict:
        d = _head(cp)
        d.update({"Amount": num(cp.amount), "BankAccountRef": self.acct[cp.bank],
                  "CreditCardAccountRef": self.acct[cp.card], "PrivateNote": cp.memo})
        return d


def _nv(name: str, value: str) -> dict:
    return {"name": "{http://schema.intuit.com/finance/v3}NameValue",
            "declaredType": "com.intuit.schema.finance.v3.NameValue",
            "scope": "javax.xml.bind.JAXBElement$GlobalScope",
            "value": {"Name": name, "Value": value}, "nil": False, "globalScope": True,
            "typeSubstituted": False}


def company_info(name: str, start: date, as_of: date) -> dict:
    addr = {"Id": "1", "Line1": "1120 NW Couch St, Suite 400", "City": "Portland",
            "CountrySubDivisionCode": "OR", "PostalCode": "97209", "Country": "US"}
    slug = "".join(ch for ch in name.lower() if ch.isalnum())[:24]
    return {
        "CompanyName": name, "LegalName": f"{name} LLC", "CompanyAddr": addr,
        "CustomerCommunicationAddr": addr, "LegalAddr": addr,
        "PrimaryPhone": {"FreeFormNumber": "(503) 555-0142"},
        "CompanyStartDate": start.isoformat(), "FiscalYearStartMonth": "January",
        "Country": "US", "Email": {"Address": f"finance@{slug}.example.com"},
        "WebAddr": {"URI": f"https://{slug}.example.com"}, "SupportedLanguages": "en",
        "NameValue": [{"Name": "NeoEnabled", "Value": "true"},
                      {"Name": "IndustryType", "Value": "Advertising, Marketing & Design"},
                      {"Name": "CompanyType", "Value": "SCorporation"},
                      {"Name": "SubscriptionStatus", "Value": "PAID"},
                      {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
                      {"Name": "PayrollFeature", "Value": "false"}],
        "domain": "QBO", "sparse": False, "Id": "1", "SyncToken": "3",
        "MetaData": {"CreateTime": stamp(start, 1), "LastUpdatedTime": stamp(as_of, 2)},
    }


def preferences(start: date, as_of: date, multicurrency: bool = False) -> dict:
    return {
        "AccountingInfoPrefs": {"FirstMonthOfFiscalYear": "January", "UseAccountNumbers": False,
                                "TaxYearMonth": "January", "ClassTrackingPerTxn": False,
                                "TrackDepartments": False, "CustomerTerminology": "Customers"},
        "SalesFormsPrefs": {"CustomTxnNumbers": False, "AllowDeposit": False,
                            "AllowDiscount": False, "DefaultTerms": {"value": "3"},
                            "ETransactionEnabledStatus": "NotApplicable"},
        "VendorAndPurchasesPrefs": {"TrackingByCustomer": False, "BillableExpenseTracking":
                                    False, "DefaultTerms": {"value": "3"}},
        "TaxPrefs": {"UsingSalesTax": False},
        "CurrencyPrefs": {"MultiCurrencyEnabled": multicurrency,
                          "HomeCurrency": {"value": "USD"}},
        "ReportPrefs": {"ReportBasis": "Accrual", "CalcAgingReportFromTxnDate": False},
        "OtherPrefs": {"NameValue": [{"Name": "WeekStartsOn", "Value": "Monday"}]},
        "domain": "QBO", "sparse": False, "Id": "1", "SyncToken": "2",
        "MetaData": {"CreateTime": stamp(start, 1),
                     "LastUpdatedTime": stamp(start + timedelta(days=1), 1)},
    }

