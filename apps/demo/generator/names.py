"""Word lists for a believable agency: client names, contractors, SaaS and card merchants."""

from __future__ import annotations

import random

CLIENT_FIRST = (
    "Alder", "Bluebird", "Cascade", "Copperline", "Driftwood", "Evergreen", "Fernhill", "Granite",
    "Harbor", "Ironwood", "Juniper", "Kestrel", "Lantern", "Meridian", "Northwind", "Oakridge",
    "Pioneer", "Quarry", "Riverbend", "Summit", "Timberline", "Upland", "Vista", "Willamette",
    "Yellowfin", "Zephyr", "Basalt", "Cedar", "Del Rio", "Elk Creek", "Foxglove", "Greenleaf",
    "Hawthorne", "Iris", "Lakeside", "Maple Street", "Nimbus", "Orchard", "Pacific Rim", "Redwood",
    "Sagebrush", "Tidewater", "Union Square", "Vireo", "Westbrook", "Beacon", "Cobalt", "Sterling",
)
CLIENT_SECOND = (
    "Coffee Roasters", "Dental Group", "Outfitters", "Health Partners", "Credit Union",
    "Brewing Co",
    "Realty", "Foods", "Bikes", "Architects", "Veterinary Clinic", "Wealth Advisors", "Apparel",
    "Cannery", "Robotics", "Clinic", "Hotels", "Logistics", "Analytics", "Home Goods", "Pet Supply",
    "Law Group", "Fitness", "Academy", "Bakery", "Solar", "Software", "Winery", "Marine", "Goods",
)
CLIENT_SUFFIX = ("", "", "", " LLC", " Inc.", " Co.", " PBC", " Group")

PEOPLE_FIRST = (
    "Jordan", "Priya", "Marcus", "Elena", "Sam", "Aiko", "Diego", "Hannah", "Kofi", "Lena",
    "Mateo", "Nora", "Omar", "Ruth", "Tess", "Victor", "Wen", "Yusuf", "Zara", "Ben",
)
PEOPLE_LAST = (
    "Lee", "Shah", "Okafor", "Novak", "Rivera", "Tanaka", "Haddad", "Berg", "Mensah", "Fischer",
    "Alvarez", "Kim", "Nakamura", "Olsen", "Petrov", "Quinn", "Sato", "Walsh", "Young", "Zhou",
)
CONTRACTOR_CRAFT = (
    "Design", "Copywriting", "Motion", "Photography", "Dev", "SEO", "Illustration", "Video",
    "Research", "Data",
)

SAAS = (
    ("Google Workspace", 14, 0.2), ("Slack Technologies", 8, 0.15), ("Adobe", 85, 0.25),
    ("Figma", 45, 0.2), ("Atlassian", 12, 0.2), ("Notion Labs", 10, 0.2), ("HubSpot", 800, 0.0),
    ("Zoom Video", 16, 0.15), ("Dropbox", 20, 0.15), ("1Password", 8, 0.2), ("Miro", 10, 0.2),
    ("Loom", 12, 0.15), ("Webflow", 39, 0.1), ("Asana", 13, 0.2), ("GitHub", 21, 0.15),
    ("Canva", 30, 0.0), ("Calendly", 16, 0.1), ("Airtable", 24, 0.15), ("Harvest Time", 12, 0.2),
    ("Semrush", 250, 0.0), ("Frame.io", 25, 0.1), ("Vimeo", 75, 0.0),
)
ADS = ("Google Ads", "LinkedIn Ads", "Meta Ads")

# (category, merchants, lo, hi, expense account key, plaid pfc detailed, channel)
CARD_CATEGORIES = (
    ("meals", ("Blue Star Donuts", "Pok Pok", "Lardo", "Tusk", "Nong's Khao Man Gai",
               "Olympia Provisions"),
     18, 240, "meals", "FOOD_AND_DRINK_RESTAURANT", "in store", 30),
    ("coffee", ("Starbucks", "Stumptown Coffee", "Heart Coffee", "Blue Bottle Coffee"),
     4, 38, "meals", "FOOD_AND_DRINK_COFFEE", "in store", 20),
    ("rides", ("Uber", "Lyft"), 9, 68, "travel", "TRANSPORTATION_TAXIS_AND_RIDE_SHARES",
     "online", 16),
    ("flights", ("Alaska Airlines", "Delta Air Lines", "United Airlines"),
     160, 780, "travel", "TRAVEL_FLIGHTS", "online", 5),
    ("hotels", ("Marriott", "Hilton Hotels", "Ace Hotel"), 180, 690, "travel", "TRAVEL_LODGING",
     "in store", 4),
    ("supplies", ("Amazon", "Staples", "Office Depot", "Costco"), 12, 420, "supplies",
     "GENERAL_MERCHANDISE_OFFICE_SUPPLIES", "online", 15),
    ("stock", ("Shutterstock", "Adobe Stock", "Envato"), 15, 199, "software",
     "GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE", "online", 6),
    ("events", ("Eventbrite", "Meetup"), 25, 450, "marketing",
     "ENTERTAINMENT_OTHER_ENTERTAINMENT", "online", 4),
)


def client_names(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        name = f"{rng.choice(CLIENT_FIRST)} {rng.choice(CLIENT_SECOND)}{rng.choice(CLIENT_SUFFIX)}"
        if len(seen) > 0.8 * len(CLIENT_FIRST) * len(CLIENT_SECOND) * 3:
            name = f"{name} {len(out)}"  # huge scales: keep DisplayName unique
        base = name.removesuffix(" LLC").removesuffix(" Inc.").removesuffix(" Co.")
        if base in seen:
            continue
        seen.add(base)
        out.append(name)
    return out


def contractor_names(rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        first, last = rng.choice(PEOPLE_FIRST), rng.choice(PEOPLE_LAST)
        name = f"{first} {last} {rng.choice(CONTRACTOR_CRAFT)}"
        if name in seen:
            name = f"{name} Studio {len(out)}"
        seen.add(name)
        out.append(name)
    return out


def email_for(name: str, role: str = "ap") -> str:
    slug = "".join(ch for ch in name.lower() if ch.isalnum())[:24] or "company"
    return f"{role}@{slug}.example.com"
