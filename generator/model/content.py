"""Content kinds: the YAML documents under ``content/``, each with a ``kind:`` key."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from generator.model._base import AtKey, Id, Schema

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
    stage: str | None = None
    """Deal stage this section serves (one of ``stages`` in ``site_config.yml``, e.g. ``pricing``): reading it
    counts towards deal signals. Shown nowhere to reps."""
    body: str
    """Markdown text: admonitions, tables, task lists, tabs, attribute lists, images, code and links
    work; raw HTML keeps only safe elements and attributes unless ``content_html: trusted``."""


class Resource(Schema):
    """A link or a file partners can use (slides, a calculator, a case study)."""

    title: str
    url: str | None = None
    """A web address (``https://…``, ``http://…`` or ``mailto:…``); no other scheme is accepted."""
    file: str | None = None
    """A file under ``content/`` copied into the site, e.g. ``files/roi-calculator.xlsx``."""
    stage: str | None = None
    """Deal stage of the resource (default: the module's): opening it counts towards deal signals."""

    @property
    def event_id(self) -> str:
        """How the page's events name the resource (a download or a click): a short digest of its file
        path or address, the same in every release and safe in an HTML attribute."""
        return "r" + hashlib.sha256((self.file if self.file is not None else str(self.url)).encode()).hexdigest()[:12]

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"(?i)(https?://|mailto:)", value.strip()):
            raise ValueError(f"'{value}' is not an https://, http:// or mailto: address")
        return value

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
    stage: str | None = None
    """Deal stage the module serves (one of ``stages`` in ``site_config.yml``, e.g. ``proposal``): reading it
    counts towards deal signals. Shown nowhere to reps."""

    @property
    def deal_stages(self) -> list[str]:
        """The deal stages of the page: the module's and its sections', each once, in order."""
        found = [self.stage, *(section.stage for section in self.sections)]
        return list(dict.fromkeys(stage for stage in found if stage))

    @property
    def resource_entries(self) -> dict[str, dict[str, str]]:
        """Each resource by its event id, with its title and deal stage (its own, else the module's; "" for none)."""
        return {resource.event_id: {"title": resource.title, "stage": resource.stage or self.stage or ""}
                for resource in self.resources}


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
    """One answer offered by a single-choice, multiple-choice or true/false question."""

    text: str
    correct: bool = False
    """Mark the right choice (or, in a multiple-choice question, every right one)."""
    feedback: str = ""
    """Shown after answering when this choice was picked (practice quizzes)."""


QuestionType = Literal["single", "multiple", "true-false", "short-text", "ordering"]
CHOICE_TYPES = ("single", "multiple", "true-false")


def _timestamp(value: str) -> str:
    if re.fullmatch(r"(\d{1,2}:)?\d{1,2}:\d{2}", value) is None:
        raise PydanticCustomError("partnerkit_timestamp", "'{value}' is not a time: write mm:ss or hh:mm:ss", {"value": value})
    return value


def seconds_of(timestamp: str) -> int:
    """``01:02:03`` → 3723."""
    total = 0
    for part in timestamp.split(":"):
        total = total * 60 + int(part)
    return total


class TalkSource(Schema):
    """Where in a recorded talk a question's answer is explained (provenance)."""

    talk: str
    """Id of the talk (its file name in ``transcripts/`` without extension)."""
    start: Annotated[str, AfterValidator(_timestamp)]
    """Where the explanation starts, ``mm:ss`` or ``hh:mm:ss``."""
    end: Annotated[str, AfterValidator(_timestamp)] | None = None
    """Where it ends."""

    @model_validator(mode="after")
    def _in_order(self) -> "TalkSource":
        if self.end is not None and seconds_of(self.end) <= seconds_of(self.start):
            raise AtKey("end", f"end {self.end} is not after start {self.start}")
        return self


class Question(Schema):
    """One question of a quiz; the keys used depend on its ``type``."""

    id: Id
    """Stable id within the quiz (keys results across releases)."""
    type: QuestionType
    """``single``, ``multiple``, ``true-false`` (with ``choices``), ``short-text`` (with ``answers`` or
    ``pattern``) or ``ordering`` (with ``items``)."""
    prompt: str
    points: int = Field(default=1, ge=1, le=100)
    """Weight of the question in the score."""
    choices: list[Choice] = Field(default=[], validate_default=True)
    """Choice questions: the choices, in the order written (shuffled when the quiz says so)."""
    partial_credit: bool = False
    """Multiple choice: each right choice picked earns its share of the points, each wrong one takes a
    share away (never below zero); otherwise only an exactly right answer scores."""
    answers: list[str] = Field(default=[], validate_default=True)
    """Short text: accepted answers, compared after normalisation (width, case, spaces, punctuation)."""
    pattern: str | None = None
    """Short text: a regular expression the whole normalised answer must match (instead of or beside ``answers``)."""
    items: list[str] = Field(default=[], validate_default=True)
    """Ordering: the items in the right order; reps see them shuffled."""
    explanation: str = ""
    """Shown after answering (practice quizzes)."""
    source: TalkSource | None = None
    """The talk and time span the question is drawn from."""

    @field_validator("choices")
    @classmethod
    def _choices_fit_type(cls, value: list[Choice], info) -> list[Choice]:
        kind = info.data.get("type")
        if kind not in CHOICE_TYPES:
            if value:
                raise ValueError(f"a {kind} question has no choices")
            return value
        if len(value) < 2:
            raise ValueError(f"a {kind} question needs at least 2 choices, found {len(value)}")
        if kind == "true-false" and len(value) != 2:
            raise ValueError(f"a true-false question has exactly 2 choices, found {len(value)}")
        texts = [choice.text for choice in value]
        repeated = sorted({text for text in texts if texts.count(text) > 1})
        if repeated:
            raise ValueError(f"choice '{repeated[0]}' is given twice")
        correct = sum(choice.correct for choice in value)
        if correct == 0:
            raise ValueError("no choice is marked correct: true")
        if kind in ("single", "true-false") and correct > 1:
            raise ValueError(f"a {kind} question has exactly one correct choice, found {correct}")
        return value

    @field_validator("answers")
    @classmethod
    def _answers_fit_type(cls, value: list[str], info) -> list[str]:
        kind = info.data.get("type")
        if value and kind != "short-text":
            raise ValueError(f"a {kind} question has no answers list; mark choices correct instead" if kind in CHOICE_TYPES
                             else f"a {kind} question has no answers list")
        return value

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None, info) -> str | None:
        if value is None:
            return value
        if info.data.get("type") != "short-text":
            raise ValueError("only short-text questions have a pattern")
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    @field_validator("items")
    @classmethod
    def _items_fit_type(cls, value: list[str], info) -> list[str]:
        kind = info.data.get("type")
        if kind != "ordering":
            if value:
                raise ValueError(f"a {kind} question has no items")
            return value
        if len(value) < 2:
            raise ValueError(f"an ordering question needs at least 2 items, found {len(value)}")
        repeated = sorted({item for item in value if value.count(item) > 1})
        if repeated:
            raise ValueError(f"item '{repeated[0]}' is given twice")
        return value

    @field_validator("partial_credit")
    @classmethod
    def _partial_credit_on_multiple(cls, value: bool, info) -> bool:
        if value and info.data.get("type") != "multiple":
            raise ValueError("only multiple-choice questions give partial credit")
        return value

    @model_validator(mode="after")
    def _short_text_has_answer(self) -> "Question":
        if self.type == "short-text" and not self.answers and self.pattern is None:
            raise AtKey("type", "a short-text question needs answers or a pattern")
        return self

    @property
    def correct_choices(self) -> list[int]:
        return [index for index, choice in enumerate(self.choices) if choice.correct]


Review = Literal["answers", "questions", "score"]


class Quiz(Document):
    """Questions that check a rep's understanding: a practice quiz graded in the browser, or a
    certification exam graded by the collector, whose answers never reach the site."""

    kind_name = "quiz"
    kind_plural = "quizzes"
    mode: Literal["practice", "exam"] = "practice"
    """``practice``: graded in the browser with feedback; ``exam``: graded by the collector, certifies."""
    role: str | None = None
    """Role id the quiz is for; exams certify this role."""
    level: str | None = None
    """Exams: the certification level awarded (one of ``certification.levels``, e.g. ``gold``)."""
    summary: str = ""
    """One or two sentences shown above the questions."""
    pass_mark: int = Field(default=80, ge=0, le=100)
    """Percentage of points needed to pass."""
    draw: int | None = Field(default=None, ge=1)
    """Questions drawn at random from the pool for each attempt; default: all of them."""
    shuffle_questions: bool = False
    """Show the questions in a random order."""
    shuffle_choices: bool = False
    """Show each question's choices in a random order."""
    attempts: int | None = Field(default=None, ge=1)
    """Exams: attempts a rep may make until they pass; default: no limit."""
    retry_after_hours: float = Field(default=0, ge=0, le=24 * 365)
    """Exams: hours a rep waits after a failed attempt before the next one."""
    time_limit_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    """Exams: minutes from starting an attempt to submitting it; default: no limit."""
    review: Review | None = None
    """What is shown after submitting: ``answers`` (right answers, feedback and explanations; practice
    only), ``questions`` (which questions were right) or ``score``. Default: ``answers`` for practice,
    ``questions`` for exams."""
    questions: list[Question] = Field(min_length=1)
    """The question pool."""

    @field_validator("questions")
    @classmethod
    def _unique_question_ids(cls, value: list[Question]) -> list[Question]:
        ids = [question.id for question in value]
        for index, ident in enumerate(ids):
            if ident in ids[:index]:
                raise AtKey((index, "id"), f"question id '{ident}' is used twice")
        return value

    @model_validator(mode="after")
    def _settings_fit_mode(self) -> "Quiz":
        if self.draw is not None and self.draw > len(self.questions):
            raise AtKey("draw", f"draw {self.draw} is larger than the pool of {len(self.questions)} questions")
        if self.mode == "exam" and self.review == "answers":
            raise AtKey("review", "an exam cannot review answers: the site never holds them; use questions or score")
        if self.mode == "exam":
            for name in ("role", "level"):
                if getattr(self, name) is None:
                    raise AtKey("mode", f"an exam needs a {name}: it certifies a role at a level")
        if self.mode == "practice":
            given = [name for name in ("level", "attempts", "time_limit_minutes") if getattr(self, name) is not None]
            if self.retry_after_hours:
                given.append("retry_after_hours")
            if given:
                raise AtKey(given[0], f"{given[0]} only applies to exams (mode: exam)")
        return self

    @property
    def review_policy(self) -> Review:
        return self.review or ("answers" if self.mode == "practice" else "questions")

    @property
    def drawn(self) -> int:
        """Questions in each attempt."""
        return self.draw or len(self.questions)


CONTENT_KINDS: dict[str, type[Document]] = {
    cls.kind_name: cls for cls in (Module, LearningPath, Procedure, Responsibilities, Campaign, Quiz)
}
"""Every content kind by the value of its ``kind:`` key, in the order a what's-new page lists their changes."""

SECTION_FOLDERS: dict[str, str] = {
    "path": "paths",
    "module": "modules",
    "procedure": "procedures",
    "responsibilities": "who-does-what",
    "campaign": "campaigns",
    "talk": "talks",
    "quiz": "quizzes",
}
"""Every kind with pages (the content kinds and ``talk``), in the site's navigation order, with the folder
of their pages: the one list and order of kinds (the site's sections and the URLs of :mod:`urls`)."""
