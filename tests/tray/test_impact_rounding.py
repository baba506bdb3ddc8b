"""A tray item's runway impact is rounded as the engine rounds (DESIGN §4: half away from
zero), so the tray and the decision's own impact never disagree by 0.1 day."""

from decimal import Decimal

from apps.core.tray_causes import cash_impact
from apps.runway.engine.money import to_tenth


def test_a_tray_impact_rounds_half_away_from_zero_as_the_engine_does():
    """25.00 at 100.00 a day is 0.25 days: the engine's decision impact says 0.3 (half up), and
    so must the tray (Decimal's default, half-even, said 0.2)."""
    days, sentence = cash_impact(Decimal("-25.00"), Decimal("100.00"), "Paying it", "USD")
    assert days == to_tenth(Decimal("-0.25")) == Decimal("-0.3")
    assert "0.3" in sentence
