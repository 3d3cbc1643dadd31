"""Loading ``transcripts/``: one talk per file name, transcribed once, never over a person's edits.

Files that share a name form one talk: ``kickoff.m4a`` (the recording), ``kickoff.vtt`` (its
transcript, written by partnerkit or by hand, in any format a transcript reader handles) and
``kickoff.yml`` (metadata, plus the ``transcription`` record partnerkit keeps up to date).
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import ContentError, PartnerkitError
from generator.load.files import file_sha256, project_files, read_project_text, relative_name
from generator.load.validation import validate
from generator.load.yaml_edit import replace_top_level
from generator.load.yaml_source import SourceDocument, parse_yaml
from generator.reporter import NullReporter, Reporter
from generator.structure._base import Schema
from generator.structure.config import TranscriptionSettings
from generator.structure.talk import Talk, TalkMeta
from generator.transcripts.readers import MEDIA_EXTENSIONS, TRANSCRIPT_READERS, read_transcript
from generator.transcripts.timestamps import format_timestamp
from generator.transcripts.transcription import Backend, Transcript, create_backend, transcribe_media

TRANSCRIPTS_DIR = "transcripts"
SIDECAR_EXTENSIONS = (".yml", ".yaml")
COMPARISON = ".new"
"""``kickoff.new.vtt``: a fresh transcription kept beside an edited one, for comparison."""
RECORD_COMMENT = "Written by partnerkit: the transcript above was made from this recording. Delete to transcribe again."


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




def vtt_text(transcript: Transcript) -> str:
    blocks = ["WEBVTT", ""]
    for segment in transcript.segments:
        blocks += [f"{format_timestamp(segment.start)} --> {format_timestamp(segment.end)}", segment.text, ""]
    return "\n".join(blocks)


def _title_from_name(stem: str) -> str:
    words = stem.replace("_", " ").replace("-", " ").split()
    return " ".join(words)[:1].upper() + " ".join(words)[1:] if words else stem


class TalkLoader:
    """Reads every talk under ``transcripts/``, transcribing recordings that need it."""

    def __init__(self, root: Path, settings: TranscriptionSettings, reporter: Reporter = NullReporter(),
                 transcribe: bool = True, force: bool = False, backend: Backend | None = None):
        self.root, self.settings, self.reporter = root, settings, reporter
        self.transcribe, self.force = transcribe, force
        self._backend = backend
        self.errors: list[ContentError] = []
        self.transcribed: list[str] = []
        """Recordings transcribed by this load (paths relative to the project)."""

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = create_backend(self.settings, self.root)
        return self._backend

    def load(self) -> dict[str, Talk]:
        folder = self.root / TRANSCRIPTS_DIR
        groups: dict[str, list[Path]] = {}
        paths, link_errors = project_files(folder, self.root, (*TRANSCRIPT_READERS, *MEDIA_EXTENSIONS, *SIDECAR_EXTENSIONS))
        self.errors += link_errors
        for path in sorted(paths):
            if path.is_file():
                groups.setdefault(path.name.split(".")[0], []).append(path)
        talks: dict[str, Talk] = {}
        for name, files in groups.items():
            talk = self._load_group(name, files)
            if talk is not None:
                talks[talk.id] = talk
        return talks

    def _load_group(self, name: str, files: list[Path]) -> Talk | None:
        comparison = [path for path in files if path.name.split(".")[1:2] == [COMPARISON[1:]]]
        files = [path for path in files if path not in comparison]
        transcripts = [path for path in files if path.suffix.lower() in TRANSCRIPT_READERS]
        media = [path for path in files if path.suffix.lower() in MEDIA_EXTENSIONS]
        sidecars = [path for path in files if path.suffix.lower() in SIDECAR_EXTENSIONS]
        for kind, found in (("transcripts", transcripts), ("recordings", media), ("metadata files", sidecars)):
            if len(found) > 1:
                shown = ", ".join(relative_name(path, self.root) for path in found)
                self.errors.append(ContentError(relative_name(found[1], self.root), 1, 1, "",
                                                f"talk '{name}' has several {kind} ({shown}): keep one"))
                return None
        sidecar_path = sidecars[0] if sidecars else None
        sidecar, sidecar_source = self._read_sidecar(sidecar_path)
        if sidecar_path is not None and sidecar is None:
            return None
        recording = media[0] if media else None
        transcript_path = transcripts[0] if transcripts else None
        if recording is not None:
            transcript_path = self._ensure_transcript(name, recording, transcript_path, sidecar_path, sidecar)
            if transcript_path is None:
                return None
        if transcript_path is None:
            self.errors.append(ContentError(relative_name(sidecars[0], self.root), 1, 1, "",
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
        meta = meta or TalkMeta(title=_title_from_name(name))
        return Talk(
            id=name, meta=TalkMeta(**meta.model_dump(include=set(TalkMeta.model_fields))),
            source=relative_name(transcript_path, self.root), cues=text.cues, chapters=text.chapters,
            media=relative_name(recording, self.root) if recording else None,
        )

    def _read_sidecar(self, path: Path | None) -> tuple[TalkSidecar | None, SourceDocument | None]:
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

    def _ensure_transcript(self, name: str, recording: Path, transcript: Path | None,
                           sidecar_path: Path | None, sidecar: TalkSidecar | None) -> Path | None:
        """The transcript to read for ``recording``, transcribing it first when needed."""
        record = sidecar.transcription if sidecar else None
        media_hash = file_sha256(recording)
        shown = relative_name(recording, self.root)
        if transcript is not None and not self.force:
            if record is None or record.media_sha256 == media_hash:
                return transcript  # made from this recording, or written by a person
            if file_sha256(transcript) != record.transcript_sha256:
                self.reporter.warning(
                    f"{shown} changed since it was transcribed, but {relative_name(transcript, self.root)} was "
                    "edited: keeping your transcript (partnerkit transcribe --force writes a fresh one beside it)"
                )
                return transcript
        if not self.transcribe:
            if transcript is None:
                self.reporter.warning(f"{shown} is not transcribed yet: partnerkit build or partnerkit transcribe will do it")
            return transcript
        edited = transcript is not None and (record is None or file_sha256(transcript) != record.transcript_sha256)
        target = recording.with_name(f"{name}{COMPARISON}.vtt") if edited else recording.with_name(f"{name}.vtt")
        try:
            result = transcribe_media(
                recording, self.backend, self.settings,
                lambda done, total: self.reporter.progress(f"Transcribing {recording.name}", done / 60, total / 60, "audio min"),
            )
        except PartnerkitError as exc:
            self.errors.append(ContentError(shown, 1, 1, "", str(exc)))
            return None
        if not result.segments:
            self.reporter.warning(f"{shown}: no speech found")
        target.write_text(vtt_text(result), encoding="utf-8")
        self.transcribed.append(shown)
        if edited:
            self.reporter.warning(f"{shown}: fresh transcript written to {relative_name(target, self.root)} for comparison")
            return transcript
        new_record = TranscriptionRecord(
            media=recording.name, media_sha256=media_hash, transcript=target.name, transcript_sha256=file_sha256(target),
            backend=result.backend, model=result.model, language=result.language,
        )
        sidecar_file = sidecar_path or recording.with_name(f"{name}.yml")
        if sidecar_path is None:
            replace_top_level(sidecar_file, "title", _title_from_name(name))
            replace_top_level(sidecar_file, "review", "draft")
        replace_top_level(sidecar_file, "transcription", new_record.model_dump(), comment=RECORD_COMMENT)
        return target
