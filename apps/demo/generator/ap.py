"""Payables and spending: rent on the 1st, contractors, professional services, insurance
(monthly, quarterly and an annual renewal), quarterly estimated taxes, utilities paid by card,
SaaS and ads on the card, everyday card spend, cleaning paid by check."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from .calendar import DAY, day_in_month, month_end, month_starts, next_bday, prev_bday
from .chart import TERM_DAYS
from .ledger import BankText, Bill, BillPayment, ExpLine, Ledger, Party, Purchase
from .money import ZERO, rand_amount, scaled
from .names import ADS, CARD_CATEGORIES, SAAS, contractor_names


class BillPolicy:
    """How the agency pays its bills: on the due date, sometimes late, sometimes in two parts;
    a few recent bills are forced overdue or part-paid so the product has something to show."""

    def __init__(self, rng: random.Random, as_of: date, scale: float) -> None:
        self.rng, self.as_of = rng, as_of
        self.force_overdue = max(2, round(2 * scale))
        self.force_partial = max(1, round(scale))
        self.overdue_done = 0  # order: one overdue, then a part-paid one, then the rest

    def plan(self, bill: Bill, flexible: bool) -> list[tuple[date, Decimal]]:
        rng, due = self.rng, bill.due
        on_due = prev_bday(due) if prev_bday(due) >= bill.date else next_bday(due)
        if bill.vendor.habit == "rent":
            return [(due, bill.total)]  # rent goes out on the 1st itself, weekends included
        if not flexible:
            return [(on_due, bill.total)]
        recent = self.as_of - timedelta(days=30) <= due <= self.as_of - timedelta(days=3)
        if recent and self.force_overdue and not (self.force_partial and self.overdue_done):
            self.force_overdue -= 1
            self.overdue_done += 1
            return [(self.as_of + timedelta(days=rng.randint(5, 30)), bill.total)]
        if recent and self.force_partial:
            self.force_partial -= 1
            half = scaled(bill.total, 0.5)
            return [(on_due, half), (self.as_of + timedelta(days=20), bill.total - half)]
        r = rng.random()
        if r < 0.10:
            return [(next_bday(due + timedelta(days=rng.randint(10, 40))), bill.total)]
        if r < 0.15:
            half = scaled(bill.total, 0.5)
            later = next_bday(due + timedelta(days=rng.randint(20, 40)))
            return [(on_due, half), (later, bill.total - half)]
        return [(on_due, bill.total)]


def _text_for(vendor: Party, pfc: str, check: str | None = None) -> BankText:
    if check:
        return BankText(f"CHECK {check}", None, pfc, "other", "cheque", check)
    return BankText(f"{vendor.name.upper()[:22]} ACH PMT", vendor.name, pfc, "online",
                    "bill payment")


class Payables:
    def __init__(self, led: Ledger, rng: random.Random, start: date, as_of: date,
                 scale: float) -> None:
        self.led, self.rng, self.start, self.as_of, self.scale = led, rng, start, as_of, scale
        self.policy = BillPolicy(rng, as_of, scale)

    # --- primitives -------------------------------------------------------------------
    def bill(self, vendor: Party, when: date, lines: list[ExpLine], term: str | None = None,
             due: date | None = None, pfc: str = "GENERAL_SERVICES_OTHER_GENERAL_SERVICES",
             flexible: bool = True, pay_with: str = "operating") -> Bill | None:
        if when > self.as_of:
            return None
        term = term or vendor.term
        total = sum((ln.amount for ln in lines), ZERO)
        b = Bill(date=when, vendor=vendor, due=due or when + timedelta(days=TERM_DAYS[term]),
                 term=term, lines=lines, total=total, balance=total,
                 doc=f"{vendor.name[:3].upper()}-{when:%y%m}{self.rng.randint(10, 99)}")
        self.led.add(self.led.bills, b)
        for when_paid, amount in self.policy.plan(b, flexible):
            if when_paid > self.as_of:
                break
            self.pay_bill(b, when_paid, amount, pay_with, pfc)
        return b

    def pay_bill(self, b: Bill, when: date, amount: Decimal, account: str, pfc: str) -> None:
        card = account == "card"
        check = None
        if not card and b.vendor.extra.get("pays_by_check"):
            check = self.led.next_check()
        bp = BillPayment(date=when, vendor=b.vendor, pay_type="CreditCard" if card else "Check",
                         account=account, total=amount, applied=[(b, amount)], doc=check or "")
        self.led.add(self.led.bill_payments, bp)
        b.balance -= amount
        b.payments.append(bp)
        b.touch(when)
        text = _text_for(b.vendor, pfc, check)
        if card:
            text = BankText(b.vendor.name.upper()[:24], b.vendor.name, pfc, "online", "purchase")
        self.led.move(when, account, amount, bp, text, kind=b.vendor.habit)

    def purchase(self, vendor: Party | None, when: date, account: str, lines: list[ExpLine],
                 text: BankText, kind: str, payment_type: str | None = None) -> Purchase | None:
        if when > self.as_of or when < self.start:
            return None
        total = sum((ln.amount for ln in lines), ZERO)
        ptype = payment_type or ("CreditCard" if account == "card" else "Cash")
        doc = text.check_number or ""
        p = Purchase(date=when, vendor=vendor, payment_type=ptype, account=account, lines=lines,
                     total=total, doc=doc)
        self.led.add(self.led.purchases, p)
        self.led.move(when, account, total, p, text, kind=kind)
        return p

    # --- streams ----------------------------------------------------------------------
    def rent(self) -> None:
        offices = max(1, round(self.scale))
        monthly = 16500 * self.scale / offices
        for k in range(offices):
            landlord = self.led.vendor(
                f"{('Pearl District', 'Lloyd Center', 'Eastbank', 'Slabtown')[k % 4]} Properties"
                + (f" {k // 4 + 1}" if k >= 4 else ""), self.start, "rent", term="receipt")
            for m in month_starts(self.start + timedelta(days=10), self.as_of):
                years_back = (self.as_of - m).days // 365
                amount = scaled(Decimal(repr(monthly)), 0.97 ** years_back, 50)
                self.bill(landlord, m - timedelta(days=10), [ExpLine("rent", f"Rent {m:%B %Y}",
                          amount)], due=m, pfc="RENT_AND_UTILITIES_RENT", flexible=False)
        self.led.facts["rent_vendors"] = offices

    def contractors(self) -> None:
        rng = self.rng
        n = max(2, round(8 * self.scale))
        for name in contractor_names(rng, n):
            v = self.led.vendor(name, self.start, "contractor", rng.choice(("net15", "net30")),
                                is_1099=True)
            v.extra["pays_by_check"] = rng.random() < 0.25
            base = rng.uniform(1500, 5500)
            span = (self.as_of - self.start).days
            joined = self.start + timedelta(days=rng.randint(0, span // 2) if rng.random() < 0.4
                                            else 0)
            biweekly = rng.random() < 0.3
            for m in month_starts(joined, self.as_of):
                dates = [month_end(m)] if not biweekly else [m + timedelta(days=13), month_end(m)]
                for d in dates:
                    amount = scaled(Decimal(repr(round(base, 2))), rng.uniform(0.7, 1.3)
                                    / len(dates), 5)
                    self.bill(v, prev_bday(d), [ExpLine("contractors", f"{name}: {m:%B} work",
                                                        amount)])

    def professional(self) -> None:
        rng = self.rng
        for k in range(max(1, round(self.scale))):
            books = self.led.vendor("Ledgerlight Bookkeeping" + (f" {k + 1}" if k else ""),
                                    self.start, "professional", "net15")
            for m in month_starts(self.start, self.as_of):
                self.bill(books, day_in_month(m, 3), [ExpLine("professional",
                          f"Bookkeeping {m:%B %Y}", Decimal("1850.00"))])
            law = self.led.vendor("Marlow & Finch LLP" + (f" {k + 1}" if k else ""), self.start,
                                  "professional", "net30")
            law.extra["pays_by_check"] = True
            d = self.start + timedelta(days=rng.randint(10, 60))
            while d <= self.as_of:
                self.bill(law, next_bday(d), [ExpLine("professional", "Legal services",
                          rand_amount(rng, 600, 6000))])
                d += timedelta(days=rng.randint(35, 90))

    def insurance(self) -> None:
        rng, s = self.rng, self.scale
        gl = self.led.vendor("Hartwell Mutual Insurance", self.start, "insurance", "net15")
        for m in month_starts(self.start, self.as_of):
            self.bill(gl, m, [ExpLine("insurance", "General liability premium",
                      scaled(Decimal("1100.00"), s))], due=day_in_month(m, 10),
                      pfc="GENERAL_SERVICES_INSURANCE", flexible=False)
        wc = self.led.vendor("SAIF Workers Comp", self.start, "insurance", "net30")
        for m in month_starts(self.start, self.as_of):
            if m.month in (1, 4, 7, 10):
                self.bill(wc, m, [ExpLine("insurance", "Workers compensation, quarterly",
                          scaled(Decimal("3500.00"), s * rng.uniform(0.9, 1.1)))],
                          due=day_in_month(m, 20), pfc="GENERAL_SERVICES_INSURANCE",
                          flexible=False)
        # The annual E&O renewal falls 3 to 8 weeks after as_of: the forecast must see it.
        eo = self.led.vendor("Cascadia Professional Liability", self.start, "insurance", "net30")
        renewal = self.as_of + timedelta(days=rng.randint(21, 56))
        self.led.facts["insurance_renewal"] = renewal.isoformat()
        k = 0
        while renewal - timedelta(days=365 * k + 60) >= self.start:
            when = renewal - timedelta(days=365 * k)
            amount = scaled(Decimal("28000.00"), s * 0.94 ** k, 10)
            self.bill(eo, when - timedelta(days=60), [ExpLine("insurance",
                      f"Professional liability renewal {when.year}", amount)], due=when,
                      pfc="GENERAL_SERVICES_INSURANCE", flexible=False)
            k += 1

    def estimated_taxes(self) -> list[tuple[date, Decimal]]:
        """Quarterly estimated tax bills (Jan/Apr/Jun/Sep 15), paid on the due date from
        checking after a transfer from the tax reserve. Returns (due date, amount) paid."""
        irs = self.led.vendor("United States Treasury", self.start, "tax", "net15")
        paid = []
        for m in month_starts(self.start, self.as_of + timedelta(days=120)):
            if m.month not in (1, 4, 6, 9):
                continue
            due = m.replace(day=15)
            amount = scaled(Decimal("22000.00"), self.scale * self.rng.uniform(0.9, 1.1), 100)
            b = self.bill(irs, due - timedelta(days=40), [ExpLine("taxes",
                          f"Estimated tax Q{(m.month - 1) // 3 + 1} {m.year}", amount)], due=due,
                          pfc="GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT", flexible=False)
            if b is not None and b.payments:
                paid.append((b.payments[0].date, amount))
        return paid

    def utilities_by_card(self) -> None:
        rng = self.rng
        specs = (("Portland General Electric", 350, 700), ("Comcast Business", 289, 289),
                 ("Verizon Wireless", 600, 680))
        for name, lo, hi in specs:
            v = self.led.vendor(name, self.start, "utilities", "net15")
            for m in month_starts(self.start, self.as_of):
                amount = scaled(rand_amount(rng, lo, hi), self.scale)
                self.bill(v, day_in_month(m, 5), [ExpLine("utilities", f"{name} {m:%B}", amount)],
                          due=day_in_month(m, 25), pfc="RENT_AND_UTILITIES_GAS_AND_ELECTRICITY",
                          flexible=False, pay_with="card")

    def saas_and_ads(self, staff: int) -> None:
        rng = self.rng
        vendors = {name: self.led.vendor(name, self.start, "software", "receipt")
                   for name, _, _ in SAAS}
        subs = max(4, round(12 * self.scale))
        picks = [SAAS[k % len(SAAS)] for k in range(subs)]
        for name, per_seat, _ in picks:
            seats = staff if per_seat < 100 else 1
            day = rng.randint(1, 28)
            amount = scaled(Decimal(per_seat), seats * rng.uniform(0.6, 1.0))
            for m in month_starts(self.start, self.as_of):
                if rng.random() < 0.04:
                    amount = scaled(amount, 1.1)  # price change or extra seats
                v = vendors[name]
                self.purchase(v, day_in_month(m, day), "card",
                              [ExpLine("software", f"{name} subscription", amount)],
                              BankText(name.upper(), name,
                                       "GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE", "online",
                                       "purchase"), "software")
        for name in ADS:
            v = self.led.vendor(name, self.start, "marketing", "receipt")
            for m in month_starts(self.start, self.as_of):
                amount = scaled(rand_amount(rng, 900, 2200), self.scale)
                self.purchase(v, m, "card", [ExpLine("marketing", f"{name} {m:%B}", amount)],
                              BankText(f"{name.upper()} BILLING", name,
                                       "GENERAL_SERVICES_OTHER_GENERAL_SERVICES", "online",
                                       "purchase"), "marketing")

    def card_spend(self) -> None:
        rng = self.rng
        weights = [cat[-1] for cat in CARD_CATEGORIES]
        merchants: dict[str, Party] = {}
        d = self.start
        while d <= self.as_of:
            lam = (4.5 if d.weekday() < 5 else 0.7) * self.scale * rng.uniform(0.6, 1.4)
            count = int(lam) + (1 if rng.random() < lam - int(lam) else 0)
            for _ in range(count):
                _, names, lo, hi, account, pfc, channel, _ = rng.choices(CARD_CATEGORIES,
                                                                         weights)[0]
                name = rng.choice(names)
                if name not in merchants:
                    merchants[name] = self.led.vendor(name, self.start, "card_merchant",
                                                      "receipt")
                amount = rand_amount(rng, lo, hi)
                self.purchase(merchants[name], d, "card", [ExpLine(account, name, amount)],
                              BankText(name.upper(), name, pfc, channel, "purchase"), "card")
            d += DAY

    def checks(self) -> None:
        rng = self.rng
        cleaner = self.led.vendor("Sparkle Office Cleaning", self.start, "cleaning", "receipt")
        for m in month_starts(self.start, self.as_of):
            no = self.led.next_check()
            self.purchase(cleaner, day_in_month(m, 15), "operating",
                          [ExpLine("cleaning", "Office cleaning", scaled(Decimal("640.00"),
                                   self.scale, 5))],
                          BankText(f"CHECK {no}", None, "GENERAL_SERVICES_OTHER_GENERAL_SERVICES",
                                   "other", "cheque", no), "cleaning", payment_type="Check")
            if rng.random() < 0.5:
                no = self.led.next_check()
                self.purchase(None, next_bday(day_in_month(m, rng.randint(2, 27))), "operating",
                              [ExpLine("supplies", "Event catering deposit",
                                       rand_amount(rng, 150, 1800))],
                              BankText(f"CHECK {no}", None,
                                       "GENERAL_SERVICES_OTHER_GENERAL_SERVICES", "other",
                                       "cheque", no), "check", payment_type="Check")

    def gusto_fees(self, payroll: Party, staff: int) -> None:
        for m in month_starts(self.start, self.as_of):
            amount = Decimal(80 + 12 * staff).quantize(Decimal("0.01"))
            self.purchase(payroll, day_in_month(m, 2), "card",
                          [ExpLine("payroll_fees", "Payroll service fee", amount)],
                          BankText("GUSTO SERVICE FEE", "Gusto",
                                   "GENERAL_SERVICES_OTHER_GENERAL_SERVICES", "online",
                                   "purchase"), "payroll_fees")


def build_ap(led: Ledger, rng: random.Random, start: date, as_of: date, scale: float,
             staff: int) -> Payables:
    ap = Payables(led, rng, start, as_of, scale)
    ap.rent()
    ap.contractors()
    ap.professional()
    ap.insurance()
    ap.utilities_by_card()
    ap.saas_and_ads(staff)
    ap.card_spend()
    ap.checks()
    return ap

