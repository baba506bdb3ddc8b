"""Chart of accounts, service items and payment terms of the agency."""

from __future__ import annotations

from .ledger import Account, Ledger

# key, name, AccountType, AccountSubType, Classification, feed
ACCOUNTS = (
    ("operating", "Operating Checking", "Bank", "Checking", "Asset", "depository"),
    ("payroll_bank", "Payroll Checking", "Bank", "Checking", "Asset", "depository"),
    ("savings", "Tax Reserve Savings", "Bank", "Savings", "Asset", "depository"),
    ("card", "Business Card", "Credit Card", "CreditCard", "Liability", "credit"),
    ("ar", "Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable", "Asset", ""),
    ("undeposited", "Undeposited Funds", "Other Current Asset", "UndepositedFunds", "Asset", ""),
    ("ap", "Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "Liability", ""),
    ("obe", "Opening Balance Equity", "Equity", "OpeningBalanceEquity", "Equity", ""),
    ("distributions", "Owner Distributions", "Equity", "PartnerDistributions", "Equity", ""),
    ("contributions", "Owner Contributions", "Equity", "PartnerContributions", "Equity", ""),
    ("retainer_income", "Retainer Income", "Income", "ServiceFeeIncome", "Revenue", ""),
    ("project_income", "Project Income", "Income", "ServiceFeeIncome", "Revenue", ""),
    ("interest_income", "Interest Earned", "Other Income", "InterestEarned", "Revenue", ""),
    ("wages", "Payroll Expenses:Wages", "Expense", "PayrollExpenses", "Expense", ""),
    ("payroll_taxes", "Payroll Expenses:Taxes", "Expense", "PayrollTaxExpenses", "Expense", ""),
    ("benefits", "Employee Benefits", "Expense", "OtherMiscellaneousServiceCost", "Expense", ""),
    ("payroll_fees", "Payroll Service Fees", "Expense", "BankCharges", "Expense", ""),
    ("contractors", "Contract Labor", "Expense", "OtherMiscellaneousServiceCost", "Expense", ""),
    ("rent", "Rent or Lease", "Expense", "RentOrLeaseOfBuildings", "Expense", ""),
    ("software", "Software & Subscriptions", "Expense", "OfficeGeneralAdministrativeExpenses",
     "Expense", ""),
    ("marketing", "Advertising & Marketing", "Expense", "AdvertisingPromotional", "Expense", ""),
    ("insurance", "Insurance", "Expense", "Insurance", "Expense", ""),
    ("taxes", "Taxes & Licenses", "Expense", "TaxesPaid", "Expense", ""),
    ("meals", "Meals", "Expense", "EntertainmentMeals", "Expense", ""),
    ("travel", "Travel", "Expense", "Travel", "Expense", ""),
    ("supplies", "Office Supplies", "Expense", "SuppliesMaterials", "Expense", ""),
    ("utilities", "Utilities & Internet", "Expense", "Utilities", "Expense", ""),
    ("professional", "Legal & Professional Fees", "Expense", "LegalProfessionalFees", "Expense",
     ""),
    ("cleaning", "Repairs & Maintenance", "Expense", "RepairMaintenance", "Expense", ""),
    ("bank_fees", "Bank Charges", "Expense", "BankCharges", "Expense", ""),
)

BANK_KEYS = ("operating", "payroll_bank", "savings")

# key, Name, income account, description
ITEMS = (
    ("retainer", "Monthly Retainer", "retainer_income",
     "Monthly retainer: strategy, design, content"),
    ("hours", "Additional Hours", "retainer_income", "Hours beyond the retainer"),
    ("project", "Project Services", "project_income", "Project milestone"),
    ("credit", "Service Credit", "retainer_income", "Credit issued to the client"),
)

# key, Name, DueDays
TERMS = (
    ("receipt", "Due on receipt", 0),
    ("net15", "Net 15", 15),
    ("net30", "Net 30", 30),
    ("net45", "Net 45", 45),
)
TERM_DAYS = {key: days for key, _, days in TERMS}


def build_chart(led: Ledger) -> None:
    for key, name, atype, sub, cls, feed in ACCOUNTS:
        led.accounts[key] = Account(key, name, atype, sub, cls, feed=feed)
    led.accounts["operating"].official_name = "Business Advantage Checking"
    led.accounts["payroll_bank"].official_name = "Business Advantage Checking"
    led.accounts["savings"].official_name = "Business Money Market Savings"
    led.accounts["card"].official_name = "Business Platinum Card"
