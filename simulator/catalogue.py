"""Static reference data the plans draw from: venues in several time zones, artists, names, seat maps.

All text stays within MySQL's latin1 (Windows-1252), which the box office stores. E-mail domains use the reserved
``.example`` top-level domain and example.com/net/org.
"""

from __future__ import annotations

from simulator.operations import SeatRef, Section, Venue

VENUES: tuple[Venue, ...] = (
    Venue(
        "NYCHUD",
        "Hudson Riverside Hall",
        "New York",
        "US",
        "America/New_York",
        19500,
        "0.0888",
        "40.750504",
        "-73.993439",
        "USD",
    ),
    Venue(
        "CHILAK",
        "Lakeshore Arena",
        "Chicago",
        "US",
        "America/Chicago",
        20500,
        "0.1025",
        "41.880556",
        "-87.674167",
        "USD",
    ),
    Venue(
        "PHXMES",
        "Mesa Amphitheatre",
        "Phoenix",
        "US",
        "America/Phoenix",
        8000,
        "0.0860",
        "33.445833",
        "-112.071389",
        "USD",
    ),
    Venue(
        "LAXPAC",
        "Pacific Pavilion",
        "Los Angeles",
        "US",
        "America/Los_Angeles",
        17500,
        "0.0950",
        "34.043056",
        "-118.267222",
        "USD",
    ),
    Venue(
        "MTLLAC",
        "Théâtre du Lac",
        "Montréal",
        "CA",
        "America/Toronto",
        2800,
        "0.1498",
        "45.508889",
        "-73.561667",
        "CAD",
    ),
    Venue(
        "LDNROY",
        "Royal Embankment Hall",
        "London",
        "GB",
        "Europe/London",
        5200,
        "0.2000",
        "51.501000",
        "-0.177000",
        "GBP",
    ),
    Venue(
        "BERSPR",
        "Spreeufer Halle",
        "Berlin",
        "DE",
        "Europe/Berlin",
        7500,
        "0.1900",
        "52.507500",
        "13.443611",
        "EUR",
    ),
    Venue(
        "SYDHAR",
        "Harbour Point Theatre",
        "Sydney",
        "AU",
        "Australia/Sydney",
        2700,
        "0.1000",
        "-33.856944",
        "151.215278",
        "AUD",
    ),
)

ARTISTS: tuple[str, ...] = (
    "Zoë & the Lanterns",
    "Northbound Static",
    "Marisol Vega",
    "Ølstad Quartet",
    "Señor Tormenta",
    "Halcyon Youth",
    "Midnight Cartography",
    "Ruby Ferreira",
    "The Quiet Engines",
    "Brass Parade",
    "Céleste Moreau",
    "Paper Lighthouse",
)

TOURS: tuple[str, ...] = (
    "World Tour",
    "Live",
    "In Concert",
    "Summer Nights",
    "Farewell Tour",
    "Acoustic Evening",
)

GIVEN_NAMES: tuple[str, ...] = (
    "Ana",
    "Ben",
    "Chloé",
    "Daniel",
    "Émilie",
    "Farah",
    "Gustav",
    "Hana",
    "Ines",
    "Jonas",
    "Kai",
    "Léa",
    "Marco",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Søren",
    "Tomás",
    "Ursula",
    "Victor",
    "Wen",
    "Yara",
    "Zoé",
)
FAMILY_NAMES: tuple[str, ...] = (
    "Alvarez",
    "Brown",
    "Côté",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Hughes",
    "Ivanova",
    "Jensen",
    "Kim",
    "Lefèvre",
    "Müller",
    "Nakamura",
    "O'Brien",
    "Patel",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tremblay",
    "Øverland",
    "Walsh",
    "Young",
    "Zimmermann",
)

FAN_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org", "mail.example", "post.example")
BURNER_DOMAINS: tuple[str, ...] = ("quickbox.example", "inboxnow.example")

#: card BINs: ordinary issuers, and prepaid ranges that reseller bots favour
CARD_BINS: tuple[str, ...] = ("411111", "424242", "510510", "545454", "601100", "371449")
PREPAID_BINS: tuple[str, ...] = ("431274", "438857", "520082")

#: the languages customers in each country prefer
LANGUAGES: dict[str, tuple[str, ...]] = {
    "US": ("en-US", "es-US"),
    "CA": ("fr-CA", "en-CA"),
    "GB": ("en-GB",),
    "DE": ("de-DE", "en-GB"),
    "AU": ("en-AU",),
}

#: seat maps: an arena (floor, lower and upper bowl) and a theatre (orchestra, mezzanine, balcony)
ARENA: tuple[Section, ...] = (
    Section("FL1", "P1", 8, 20),
    Section("FL2", "P1", 8, 20),
    Section("101", "P2", 10, 18),
    Section("102", "P2", 10, 18),
    Section("103", "P2", 10, 18),
    Section("201", "P3", 10, 16),
    Section("202", "P3", 10, 16),
    Section("203", "P3", 10, 16),
)
THEATRE: tuple[Section, ...] = (
    Section("ORCH", "P1", 12, 22),
    Section("MEZZ", "P2", 8, 20),
    Section("BALC", "P3", 8, 18),
)

LEVEL_NAMES: dict[str, str] = {"P1": "Premium", "P2": "Standard", "P3": "Value"}

# rows are lettered as venues letter them: no I and no O (they read as 1 and 0)
_ROW_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def seat_map(sections: tuple[Section, ...]) -> list[tuple[SeatRef, str]]:
    """Every seat of the sections with its price level, in a stable order (section, row, seat)."""
    seats: list[tuple[SeatRef, str]] = []
    for section in sections:
        for row in range(section.rows):
            for number in range(1, section.seats + 1):
                seats.append((SeatRef(section.code, _ROW_LETTERS[row], str(number)), section.level))
    return seats


def is_accessible(seat: SeatRef, sections: tuple[Section, ...]) -> bool:
    """Wheelchair or companion seats (``ADA_FLG``): the last two seats of each section's last row."""
    for section in sections:
        if section.code == seat.section:
            return seat.row == _ROW_LETTERS[section.rows - 1] and int(seat.seat) > section.seats - 2
    return False
