"""Invented news copy for demos and benchmarks: word lists and the sentences made of them.

Pure: a seeded random generator in, headlines and bodies out. articles/ingest/demo.py writes
them to the database in bulk.
"""

import random

from articles.ingest import wiretext
from articles.models import Article


def options(text: str) -> list[str]:
    """A word list written as "a | b | c" (an empty option makes the part optional)."""
    return [option.strip() for option in " ".join(text.split()).split("|")]


DEFAULT_SECTIONS = [
    ("New York", "new-york", "City Hall, the five boroughs and the people who run them."),
    ("Politics", "politics", "Campaigns, Congress, the White House and the state capitals."),
    ("U.S.", "us", "News from across the United States."),
    ("World", "world", "International news and foreign policy."),
    ("Business", "business", "Companies, markets, work and the economy."),
    ("Technology", "technology", "The companies, tools and rules shaping the digital world."),
    ("Science", "science", "Research, space, the environment and discovery."),
    ("Health", "health", "Medicine, public health and how we live."),
    ("Climate", "climate", "A warming planet and what is being done about it."),
    ("Arts", "arts", "Theater, music, books, film and the visual arts."),
    ("Sports", "sports", "Games, teams and the business of sport."),
    ("Opinion", "opinion", "Columns, editorials and argument."),
]

TAG_NAMES = options(
    """
Immigration|Housing|Transit|Education|Public health|Policing|Courts|Elections|City budget|
Climate change|Heat waves|Flooding|Energy|Electric vehicles|Artificial intelligence|Privacy|
Social media|Cybersecurity|Startups|Labor unions|Minimum wage|Inflation|Interest rates|
Federal Reserve|Stock market|Real estate|Small business|Retail|Tourism|Restaurants|Agriculture|
Trade|Tariffs|Supply chains|Manufacturing|Banking|Taxes|Congress|Supreme Court|White House|
State legislature|City Council|Mayor's office|Governor's office|Campaign finance|Voting rights|
Redistricting|Gun violence|Criminal justice|Prisons|Homelessness|Rent control|Zoning|
Infrastructure|Bridges|Subway|Buses|Bike lanes|Airports|Water supply|Parks|Schools|
Universities|Student debt|Child care|Hospitals|Vaccines|Mental health|Opioids|Medicaid|
Medicare|Nursing homes|Aging|Space|Oceans|Wildlife|Wildfires|Drought|Hurricanes|Recycling|
Air quality|Renewable energy|Nuclear power|Oil and gas|Theater|Museums|Music|Books|Film|
Television|Dance|Architecture|Food|Baseball|Basketball|Football|Soccer|Tennis|Olympics|
Marathons|Brooklyn|Queens|The Bronx|Manhattan|Staten Island|Long Island|New Jersey|Albany|
Chicago|Los Angeles|Texas|Florida|California|Washington|London|Paris|Berlin|Brussels|Kyiv|
Beijing|Tokyo|New Delhi|Mexico City|Sao Paulo|Lagos|Nairobi|Jerusalem|Cairo|Canada|
European Union|United Nations|NATO|MTA|NYPD|FBI|EPA|FDA|CDC|NASA|Diplomacy|Sanctions|
Refugees|Human rights|Protests|Strikes|Philanthropy|Religion|Obituaries|Weather|History
"""
)

FIRST_NAMES = (
    "Maria James Aisha Daniel Sofia Kwame Elena Marcus Priya Thomas Leila David Hannah Omar "
    "Grace Samuel Mei Jonah Rosa Ethan Nadia Victor Claire Andre Yuki Felix Amara Lucas Ines "
    "Noah Farah Julian Zoe Tariq Lena Hugo Chloe Rafael Imani Oscar"
).split()
LAST_NAMES = (
    "Chen Okafor Rivera Goldberg Nakamura Haddad Kowalski Patel Alvarez Johansson Mensah "
    "Rossi Brennan Sato Delgado Lindqvist Abebe Moreau Kaplan Osei Novak Fitzgerald Quintero "
    "Ibrahim Larsen Castillo Weiss Adeyemi Duarte Park Hollis Varga Nguyen Barros Whitaker"
).split()
AUTHOR_TITLES = options(
    """
    Staff reporter | City Hall reporter | Political correspondent | Foreign correspondent |
    Business reporter | Science writer | Health reporter | Climate reporter | Critic | Sports
    reporter | Columnist | Data reporter
    """
)
AUTHOR_COUNT = 80

DATELINES = options(
    """
    NEW YORK | WASHINGTON | ALBANY, N.Y. | CHICAGO | LOS ANGELES | HOUSTON | MIAMI | LONDON |
    PARIS | BRUSSELS | KYIV, Ukraine | TOKYO | NAIROBI, Kenya | MEXICO CITY |
    """
)

SUBJECTS = options(
    """
    The city council | State lawmakers | The mayor | Federal regulators | Hospital
    administrators | The school board | Residents of the neighborhood | Union leaders |
    Prosecutors | The governor | Transit officials | Researchers at the university | Investors |
    The company | Tenant advocates | Local business owners | Police officials | The committee |
    Voters | Economists | The agency | Community groups | The board of directors | Environmental
    groups | Parents | The court | The coalition | Health officials
    """
)
VERBS = options(
    """
    approved | rejected | debated | announced | proposed | questioned | delayed | expanded |
    defended | criticized | unveiled | reviewed | challenged | postponed | welcomed | scaled
    back | revived | endorsed | investigated | paid for
    """
)
OBJECTS = options(
    """
    a plan to expand bus service | the new budget | a proposal to raise the minimum wage | the
    rezoning of the waterfront | a study of air quality near schools | the contract with the
    transit workers | new rules for short-term rentals | a program to repair public housing |
    the merger of two regional hospitals | a tax break for small manufacturers | the design of
    the new library | a pilot program for congestion pricing | the cleanup of the polluted canal
    | plans for a new stadium | the overhaul of the emergency dispatch system | a ban on gas
    stoves in new buildings | the expansion of free school meals | the sale of the former armory
    | a review of police overtime | a bond measure for flood protection | the state’s new
    election rules | an agreement with the teachers’ union
    """
)
WHENS = options(
    """
    on Tuesday | on Monday | late Wednesday | on Thursday | on Friday | over the weekend | last
    week | after months of negotiations | despite objections from residents | after a heated
    public hearing | earlier this year | in a closed-door session | amid growing pressure from
    advocates | for the second time this year
    """
)
ATTRIBUTIONS = options(
    """
     |  |  | , officials said | , according to people familiar with the discussions | , a
    spokeswoman said | , a spokesman said | , according to public records | , according to a
    statement
    """
)
CLAUSES = options(
    """
    the decision could affect thousands of families | the cost is expected to rise | the
    timeline remains uncertain | critics say the plan does not go far enough | supporters say
    the change is long overdue | the measure faces a difficult path in the Senate | the money
    would come from the state | the details are still being worked out | similar efforts have
    stalled in other cities | the vote was closer than expected | the agency has not said how it
    will enforce the rules | the effects may not be clear for years
    """
)
QUOTES = options(
    """
    We are not going to back down | This is a moment we have waited a long time for | Nobody in
    this room thinks the job is finished | The numbers simply do not add up | People deserve to
    know where the money goes | We heard the community, and we changed the plan | It is a step
    in the right direction, but only a step | I have never seen anything like it | We will be
    watching closely | There is no easy answer here
    """
)
ROLES = options(
    """
    a spokeswoman for the mayor | the committee’s chairwoman | a tenant organizer | a professor
    of urban planning | the agency’s director | a longtime resident | a senior economist | the
    union’s president | a member of the council | a lawyer for the plaintiffs
    """
)
MEASURES = options(
    """
    number of applications | average rent | cost of the project | ridership | unemployment rate
    | number of reported cases | enrollment | price of admission
    """
)
SOURCES = options(
    """
    city data | a state report | the Census Bureau | an analysis by the comptroller | figures
    released by the agency | a survey of residents
    """
)

HEADLINE_SUBJECTS = options(
    """
    Council | Mayor | Lawmakers | Regulators | Governor | Judge | Transit Agency | School Board
    | Tenants | Hospital Workers | Scientists | City | State | Residents | Senate | Museum |
    Union | Developers | Voters | Officials
    """
)
HEADLINE_VERBS = options(
    """
    Approves | Rejects | Delays | Unveils | Weighs | Backs | Challenges | Revives | Scales Back
    | Pushes | Questions | Expands | Defends | Blocks | Embraces
    """
)
HEADLINE_OBJECTS = options(
    """
    Plan to Expand Bus Service | New Budget | Minimum Wage Increase | Waterfront Rezoning | Air
    Quality Study | Transit Contract | Short-Term Rental Rules | Public Housing Repairs |
    Hospital Merger | Tax Break for Manufacturers | Library Redesign | Congestion Pricing Pilot
    | Canal Cleanup | Stadium Deal | Dispatch System Overhaul | Gas Stove Ban | Free School
    Meals | Armory Sale | Police Overtime Review | Flood Protection Bond | Election Rules |
    Teachers’ Contract | Bike Lane Network | Heat Emergency Plan | Rent Relief Fund
    """
)
HEADLINE_TAILS = options(
    """
     |  | After Long Debate | Amid Protests | as Costs Climb | in Close Vote | Despite
    Objections | After Public Outcry | for Second Time | as Deadline Nears | in Surprise Move |
    With Conditions | Ahead of Election | as Critics Push Back
    """
)
SUBHEADINGS = options(
    """
    What Comes Next | A Long Debate | The Cost | Reaction From Residents | How the Plan Works |
    Questions Remain | The Road Ahead | Background | Opposition Grows | By the Numbers | Who Is
    Affected? | What Critics Say | A Divided Council | The Money Question | Lessons From Other
    Cities | Inside the Negotiations | A Familiar Fight | What Supporters Say | Why It Matters |
    The Legal Challenge | What Happens Now? | A Neighborhood Changes | Pressure From Albany |
    The Federal Role
    """
)
KINDS = [Article.Kind.NEWS, Article.Kind.ANALYSIS, Article.Kind.EXPLAINER, Article.Kind.OPINION]
KIND_WEIGHTS = [78, 11, 7, 4]
TAG_COUNT_WEIGHTS = [6, 10, 12, 13, 12, 10, 8, 7, 5, 4, 3, 3, 3, 2, 2]  # for 1 to 15 tags
AUTHOR_COUNT_WEIGHTS = [62, 25, 9, 4]  # for 1 to 4 authors
PARAGRAPH_POOL_SIZE = 3000
MAX_PARAGRAPH_WORDS = 5 * 30  # five of the longest sentences
MIN_WORDS, MAX_WORDS = 400, 1500
FEATURED_ONE_IN = 200


class Inventor:
    """Invents headlines and bodies from a seeded random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        # Stories are assembled from a pool of invented paragraphs, kept as (first sentence,
        # HTML, word count): drawing whole paragraphs is several times faster than composing
        # every sentence afresh, and 100,000 stories still read differently.
        self.paragraphs = [self.paragraph() for _ in range(PARAGRAPH_POOL_SIZE)]
        self.subheadings = [(wiretext.escape_text(text), len(text.split())) for text in SUBHEADINGS]

    def paragraph(self) -> tuple[str, str, int]:
        sentences = [self.sentence() for _ in range(self.rng.randint(2, 5))]
        text = " ".join(sentences)
        return sentences[0], f"<p>{wiretext.escape_text(text)}</p>", len(text.split())

    def sentence(self) -> str:
        rng = self.rng
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        shape = rng.randrange(6)
        if shape == 0:
            return f"“{rng.choice(QUOTES)},” said {name}, {rng.choice(ROLES)}."
        if shape == 1:
            return (
                f"The {rng.choice(MEASURES)} {rng.choice(['rose', 'fell'])} "
                f"{rng.randint(2, 40)} percent over the past {rng.choice(['year', 'decade'])}, "
                f"according to {rng.choice(SOURCES)}."
            )
        if shape == 2:
            return f"{name}, {rng.choice(ROLES)}, said {rng.choice(CLAUSES)}."
        if shape == 3:
            subject, verb, thing = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
            return f"{subject} {verb} {thing}, and {rng.choice(CLAUSES)}."
        subject, verb, thing = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
        return f"{subject} {verb} {thing} {rng.choice(WHENS)}{rng.choice(ATTRIBUTIONS)}."

    def headline(self) -> str:
        rng = self.rng
        parts = [
            rng.choice(HEADLINE_SUBJECTS),
            rng.choice(HEADLINE_VERBS),
            rng.choice(HEADLINE_OBJECTS),
            rng.choice(HEADLINE_TAILS),
        ]
        return " ".join(part for part in parts if part)

    def body(self) -> tuple[str, str]:
        """Return (body HTML, dek): a lede, then 2 to 6 subheaded parts, 400 to 1,500 words."""
        rng = self.rng
        # Most news stories run 500 to 900 words; a few go long. The last paragraph may run
        # past the target, hence the margin.
        target = round(rng.triangular(MIN_WORDS, MAX_WORDS - MAX_PARAGRAPH_WORDS, 650))
        heads = max(2, min(6, target // 230))
        html: list[str] = []
        words = 0
        dek = ""
        for part in range(heads + 1):
            if part:
                subheading, count = rng.choice(self.subheadings)
                html.append(f"<h2>{subheading}</h2>")
                words += count
            part_end = target * (part + 1) / (heads + 1)
            while words < part_end or not html or html[-1].startswith("<h2>"):
                first_sentence, paragraph, count = rng.choice(self.paragraphs)
                dek = dek or first_sentence
                html.append(paragraph)
                words += count
        return "\n".join(html), dek
