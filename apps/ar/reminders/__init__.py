"""Collections reminders: sequences of steps, one email per customer per day, tracking.

Modules: `models` (data), `merge` (the safe template formatter), `sequences` (steps, overrides,
the habit shift), `contacts` (billing emails, unsubscribe), `plan` (what falls due on a day),
`send` (the daily tick and delivery), `tracking` (provider events); the measures (DSO etc.)
live in apps/collections/measures.py (they use the runway's DSO ratio).
docs/collections.md states every rule.
"""
