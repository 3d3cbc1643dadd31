"""Content kinds: the YAML documents under ``content/``, each with a ``kind:`` key."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from generator.structure._base import Id, Schema

Owner = Literal["partner", "shared", "tech-touch", "vendor"]
"""Who carries out an action: the vendor's team, the partner, both, or self-serve content."""

ALL_SEGMENTS = "all"
"""Key of an owner mapping that applies to every segment."""


class Document(Schema):
    """Base of every content kind; ``kind`` names the class in the YAML."""

    kind_name: ClassVar[str]
    kind_plural: ClassVar[str]
    kind: str
    """The content kind, which selects the keys below (e.g. ``module``)."""
    id: Id
    """Stable id: the page's file name and the key of progress and view logs."""
    title: str
    """Title shown on the page and in navigation."""

    @property
    def content_id(self) -> str:
        """Identifier of this document across releases, e.g. ``module:pricing``."""
        return f"{self.kind_name}:{self.id}"


class Section(Schema):
    """A titled part of a module's body."""

    title: str
    body: str
    """Markdown text."""


class Resource(Schema):
    """A link or a file partners can use (slides, a calculator, a case study)."""

    title: str
    url: str | None = None
    """A web address (``https://…``)."""
    file: str | None = None
    """A file under ``content/`` copied into the site, e.g. ``files/roi-calculator.xlsx``."""

    @field_validator("file")
    @classmethod
    def _relative(cls, value: str | None) -> str | None:
        if value is not None and (value.startswith("/") or ".." in value.split("/")):
            raise ValueError(f"'{value}' must be a path inside content/")
        return value

    @model_validator(mode="after")
    def _one_target(self) -> "Resource":
        if (self.url is None) == (self.file is None):
            raise ValueError("give exactly one of url or file")
        return self


class Module(Document):
    """An onboarding or enablement unit a rep works through in one sitting."""

    kind_name = "module"
    kind_plural = "modules"
    summary: str
    """One or two sentences shown on lists and at the top of the page."""
    roles: list[str]
    """Role ids this module is for (from ``site_config.yml``)."""
    minutes: int = Field(ge=1, le=600)
    """Estimated minutes to work through it."""
    objectives: list[str] = []
    """What the rep can do afterwards, one line each."""
    prerequisites: list[str] = []
    """Module ids to complete first."""
    sections: list[Section] = []
    """The body, as titled Markdown sections."""
    resources: list[Resource] = []
    """Links and files to use with customers."""
    talks: list[str] = []
    """Ids of recorded talks on the same subject."""
    quiz: str | None = None
    """Id of a practice quiz that ends the module."""


class LearningPath(Document):
    """An ordered series of modules for one role."""

    kind_name = "path"
    kind_plural = "paths"
    role: str
    """Role id the path is for."""
    summary: str
    modules: list[str] = Field(min_length=1)
    """Module ids, in the order to take them."""
    required_for_certification: bool = False
    """Whether completing the path is required before a certification exam."""


class Step(Schema):
    """One action of a procedure."""

    when: str
    """When it happens relative to the trigger, e.g. ``day 0``, ``-60d``, ``within 48h``."""
    action: str
    """What to do, as an imperative sentence."""
    owner: dict[str, Owner]
    """Who does it: one owner (``vendor``, ``partner``, ``shared``, ``tech-touch``) or a mapping
    from segment id (or ``all``) to owner."""
    checklist: list[str] = []
    """Items to tick off; printed as a checklist."""
    template: str | None = None
    """A message template (e.g. an e-mail) to send at this step."""

    @field_validator("owner", mode="before")
    @classmethod
    def _single_owner(cls, value: object) -> object:
        return {ALL_SEGMENTS: value} if isinstance(value, str) else value


class Procedure(Document):
    """A customer-success playbook: what to do, by whom, when a trigger fires."""

    kind_name = "procedure"
    kind_plural = "procedures"
    summary: str = ""
    """One or two sentences shown on lists and at the top of the page."""
    phase: Literal["onboarding", "adoption", "expansion", "renewal"]
    """Stage of the customer journey."""
    trigger: str
    """The event or condition that starts it, e.g. ``renewal_date - 90d``, ``health_score < 60``."""
    goal: str
    """The customer outcome the procedure secures."""
    kpis: list[str] = []
    """Measures that tell whether it works."""
    steps: list[Step] = Field(min_length=1)


class Activity(Schema):
    """One activity of the matrix, with what each side does for one segment."""

    activity: str
    lead: Owner
    """Who is accountable."""
    vendor: str = ""
    """What the vendor's team does."""
    partner: str = ""
    """What the partner does."""


class SegmentPlan(Schema):
    """The activities for one customer segment."""

    segment: str
    """Segment id from ``site_config.yml``."""
    summary: str = ""
    activities: list[Activity] = Field(min_length=1)


class Responsibilities(Document):
    """Who does what for which customer segment."""

    kind_name = "responsibilities"
    kind_plural = "responsibilities"
    summary: str = ""
    segments: list[SegmentPlan] = Field(min_length=1)


class Reward(Schema):
    """What the rep gets; variable rewards keep the loop going."""

    type: Literal["recognition", "career", "money"]
    """Praise and recognition, something that helps the rep's career, or money."""
    description: str


class Schedule(Schema):
    starts: str
    """When the campaign starts, e.g. ``2026-12-01`` or ``release day``."""
    ends: str | None = None
    cadence: str = ""
    """How often it repeats, e.g. ``weekly digest``."""


class Campaign(Document):
    """A hook loop for partner adoption: trigger → action → reward → investment."""

    kind_name = "campaign"
    kind_plural = "campaigns"
    summary: str
    roles: list[str] = []
    """Role ids targeted (empty: everyone)."""
    trigger: str
    """What brings reps back, e.g. the quarterly release or a top partner's seminar."""
    action: str
    """The easy next step offered at the trigger."""
    rewards: list[Reward] = Field(min_length=1)
    investment: str
    """What the rep puts in that makes the next loop easier."""
    schedule: Schedule
    modules: list[str] = []
    """Module ids the campaign points reps to."""


class Choice(Schema):
    text: str
    correct: bool = False
    feedback: str = ""
    """Shown after answering when this choice was picked."""


class Question(Schema):
    id: Id
    """Stable id within the quiz (keys results across releases)."""
    type: Literal["single", "multiple", "true-false"]
    prompt: str
    choices: list[Choice] = Field(min_length=2)
    explanation: str = ""
    """Shown after answering."""

    @field_validator("choices")
    @classmethod
    def _correct_count(cls, value: list[Choice], info) -> list[Choice]:
        correct = sum(choice.correct for choice in value)
        kind = info.data.get("type")
        if correct == 0:
            raise ValueError("no choice is marked correct: true")
        if kind in ("single", "true-false") and correct > 1:
            raise ValueError(f"a {kind} question has exactly one correct choice, found {correct}")
        return value


class Quiz(Document):
    """Questions that check a rep's understanding."""

    kind_name = "quiz"
    kind_plural = "quizzes"
    mode: Literal["practice", "exam"] = "practice"
    role: str | None = None
    pass_mark: int = Field(default=80, ge=0, le=100)
    """Percentage of points needed to pass."""
    questions: list[Question] = Field(min_length=1)


CONTENT_KINDS: dict[str, type[Document]] = {
    cls.kind_name: cls for cls in (Module, LearningPath, Procedure, Responsibilities, Campaign, Quiz)
}
"""Every content kind by the value of its ``kind:`` key."""
