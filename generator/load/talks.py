"""Loading ``transcripts/``: one talk per file name, read as it is (loading never transcribes).

Files that share a name form one talk: ``kickoff.m4a`` (the recording), ``kickoff.vtt`` (its
transcript, written by partnerkit or by hand, in any format a transcript reader handles) and
``kickoff.yml`` (metadata, plus the ``transcription`` record partnerkit keeps up to date). The
``transcribe`` step (``transcripts/step.py``), run by the commands before loading, writes the
transcripts and records; this module only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.layout import TRANSCRIPTS_DIR
from generator.errors import ContentError
from generator.files import file_sha256, project_files, read_project_text, relative_name
from generator.load.transcript_readers import MEDIA_EXTENSIONS, TRANSCRIPT_READERS, read_transcript
from generator.load.validation import validate
from generator.load.yaml_source import SourceDocument, parse_yaml
from generator.reporter import NullReporter, Reporter
from generator.model._base import Schema
from generator.model.talk import Talk, TalkMeta

SIDECAR_EXTENSIONS = (".yml", ".yaml")
COMPARISON = ".new"
"""``kickoff.new.vtt``: a fresh transcription kept beside an edited one, for comparison."""


class TranscriptionRecord(Schema):
    """What a transcript was made from, so it is made once and never over a person's corrections."""

    media: str
    media_sha256: str
    transcript: str
    transcript_sha256: str
    backend: str
    model: str
    language: str


class TalkSidecar(TalkMeta):
    """The ``<name>.yml`` beside a talk: metadata and partnerkit's transcription record."""

    transcription: TranscriptionRecord | None = None


@dataclass
class TranscriptionRun:
    """What the transcription step did before loading: recordings it handled (transcribed or failed,
    paths relative to the project) and the errors it met, reported with the load's own."""

    handled: set[str] = field(default_factory=set)
    transcribed: list[str] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)


@dataclass(frozen=True)
class TalkFiles:
    """The files of one talk, at most one of each kind once ``TalkLoader.files_of`` accepted them."""

    name: str
    recording: Path | None
    transcript: Path | None
    sidecar: Path | None


def title_from_name(stem: str) -> str:
    words = stem.replace("_", " ").replace("-", " ").split()
    return " ".join(words)[:1].upper() + " ".join(words)[1:] if words else stem


def transcript_state(recording: Path, transcript: Path | None, record: TranscriptionRecord | None) -> str:
    """``current`` (made from this recording, or written by a person), ``edited`` (the recording
    changed but a person edited the transcript: kept) or ``needed`` (no transcript, or one partnerkit
    made from an older recording)."""
    if transcript is None:
        return "needed"
    if record is None or record.media_sha256 == file_sha256(recording):
        return "current"
    if file_sha256(transcript) != record.transcript_sha256:
        return "edited"
    return "needed"


class TalkLoader:
    """Reads every talk under ``transcripts/``."""

    def __init__(self, root: Path, reporter: Reporter = NullReporter(), run: TranscriptionRun | None = None):
        self.root, self.reporter = root, reporter
        self.run = run or TranscriptionRun()
        self.errors: list[ContentError] = []

    def groups(self) -> dict[str, list[Path]]:
        """The project's talk files by talk name."""
        folder = self.root / TRANSCRIPTS_DIR
        groups: dict[str, list[Path]] = {}
        paths, link_errors = project_files(folder, self.root, (*TRANSCRIPT_READERS, *MEDIA_EXTENSIONS, *SIDECAR_EXTENSIONS))
        self.errors += link_errors
        for path in sorted(paths):
            if path.is_file():
                groups.setdefault(path.name.split(".")[0], []).append(path)
        return groups

    def load(self) -> dict[str, Talk]:
        talks: dict[str, Talk] = {}
        for name, files in self.groups().items():
            talk = self._load_group(name, files)
            if talk is not None:
                talks[talk.id] = talk
        return talks

    def files_of(self, name: str, files: list[Path]) -> TalkFiles | None:
        """One talk's files, or None (an error recorded) when it has several of one kind."""
        files = [path for path in files if path.name.split(".")[1:2] != [COMPARISON[1:]]]
        transcripts = [path for path in files if path.suffix.lower() in TRANSCRIPT_READERS]
        media = [path for path in files if path.suffix.lower() in MEDIA_EXTENSIONS]
        sidecars = [path for path in files if path.suffix.lower() in SIDECAR_EXTENSIONS]
        for kind, found in (("transcripts", transcripts), ("recordings", media), ("metadata files", sidecars)):
            if len(found) > 1:
                shown = ", ".join(relative_name(path, self.root) for path in found)
                self.errors.append(ContentError(relative_name(found[1], self.root), 1, 1, "",
                                                f"talk '{name}' has several {kind} ({shown}): keep one"))
                return None
        return TalkFiles(name, media[0] if media else None, transcripts[0] if transcripts else None,
                         sidecars[0] if sidecars else None)

    def _load_group(self, name: str, files: list[Path]) -> Talk | None:
        found = self.files_of(name, files)
        if found is None:
            return None
        sidecar, sidecar_source = self.read_sidecar(found.sidecar)
        if found.sidecar is not None and sidecar is None:
            return None
        recording, transcript_path = found.recording, found.transcript
        if recording is not None:
            transcript_path = self._transcript_of(name, recording, transcript_path, sidecar)
            if transcript_path is None:
                return None
        if transcript_path is None:
            assert found.sidecar is not None
            self.errors.append(ContentError(relative_name(found.sidecar, self.root), 1, 1, "",
                                            f"talk '{name}' has metadata but no transcript or recording"))
            return None
        text, errors = read_transcript(transcript_path, self.root)
        self.errors += errors
        meta: TalkMeta | None = sidecar
        if text.front_matter_source is not None:
            meta, meta_errors = validate(TalkMeta, text.front_matter_source)
            self.errors += meta_errors
            if meta is None:
                return None
        if errors:
            return None
        meta = meta or TalkMeta(title=title_from_name(name))
        return Talk(
            id=name, meta=TalkMeta(**meta.model_dump(include=set(TalkMeta.model_fields))),
            source=relative_name(transcript_path, self.root), cues=text.cues, chapters=text.chapters,
            media=relative_name(recording, self.root) if recording else None,
        )

    def read_sidecar(self, path: Path | None) -> tuple[TalkSidecar | None, SourceDocument | None]:
        if path is None:
            return None, None
        text, error = read_project_text(path, self.root)
        if error:
            self.errors.append(error)
            return None, None
        documents, errors = parse_yaml(relative_name(path, self.root), text)
        self.errors += errors
        if errors or not documents:
            if not errors:
                self.errors.append(ContentError(relative_name(path, self.root), 1, 1, "", "empty metadata file: give at least a title"))
            return None, None
        sidecar, errors = validate(TalkSidecar, documents[0])
        self.errors += errors
        return sidecar, documents[0]

    def _transcript_of(self, name: str, recording: Path, transcript: Path | None,
                       sidecar: TalkSidecar | None) -> Path | None:
        """The transcript to read for ``recording``, as the transcription step left it."""
        shown = relative_name(recording, self.root)
        if shown in self.run.handled:
            return transcript if shown not in {error.path for error in self.run.errors} else None
        state = transcript_state(recording, transcript, sidecar.transcription if sidecar else None)
        if state == "edited":
            assert transcript is not None
            self.reporter.warning(
                f"{shown} changed since it was transcribed, but {relative_name(transcript, self.root)} was "
                "edited: keeping your transcript (partnerkit transcribe --force writes a fresh one beside it)"
            )
        elif transcript is None:
            self.reporter.warning(f"{shown} is not transcribed yet: partnerkit build or partnerkit transcribe will do it")
        return transcript
