"""The example's pages, one of each type, by the address a person opens (relative to the site root)."""

PAGE_TYPES = {
    "home": "",
    "section index": "modules/",
    "module": "modules/pricing-roi/",
    "learning path": "paths/sales-onboarding/",
    "procedure": "procedures/renewal-90-60-30/",
    "who does what": "who-does-what/",
    "campaign": "campaigns/release-sprint/",
    "talk": "talks/partner-kickoff-2026-11/",
    "practice quiz": "quizzes/sales-foundations/",
    "exam": "quizzes/sales-silver/",
    "verify": "verify/",
}
