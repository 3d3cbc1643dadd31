"""The ``transcribe`` step: recordings under ``transcripts/`` without an up-to-date transcript are
transcribed once, never over a person's edits.

The commands run it before loading (``partnerkit build``, ``serve`` and ``transcribe``; ``check``
does not, as it is slow); loading then reads what it wrote. It writes ``<name>.vtt`` beside the
recording and records what the transcript was made from in ``<name>.yml`` (or, where a person
edited the transcript and ``--force`` asks again, ``<name>.new.vtt`` to compare)."""

from __future__ import annotations

from pathlib import Path

from generator.errors import ContentError, PartnerkitError
from generator.files import file_sha256, relative_name
from generator.load.config import read_config
from generator.load.talks import (COMPARISON, TalkLoader, TranscriptionRecord, TranscriptionRun, title_from_name,
                                  transcript_state)
from generator.load.yaml_edit import replace_top_level
from generator.reporter import NullReporter, Reporter
from generator.model.config import TranscriptionSettings
from generator.model.timestamps import webvtt
from generator.transcripts.transcription import Backend, Transcript, create_backend, transcribe_media

RECORD_COMMENT = "Written by partnerkit: the transcript above was made from this recording. Delete to transcribe again."


def vtt_text(transcript: Transcript) -> str:
    """A transcript as the WebVTT file written next to its recording (:func:`webvtt`: text escaped, so
    ``<`` and ``&`` read back as written)."""
    return webvtt(transcript.segments)


def transcribe_project(root: Path, reporter: Reporter = NullReporter(), force: bool = False) -> TranscriptionRun:
    """Transcribe the project's recordings that need it, with the settings of its site_config.yml
    (none when that file does not load: the load reports why)."""
    config, _ = read_config(root)
    if config is None:
        return TranscriptionRun()
    return transcribe_talks(root, config.transcription, reporter, force)


def transcribe_talks(root: Path, settings: TranscriptionSettings, reporter: Reporter = NullReporter(),
                     force: bool = False, backend: Backend | None = None) -> TranscriptionRun:
    """Transcribe every recording under ``transcripts/`` that has no transcript made from it (all of
    them with ``force``). Problems of the talk files themselves are left for the load to report."""
    return _Transcriber(root, settings, reporter, force, backend).run_all()


class _Transcriber:
    def __init__(self, root: Path, settings: TranscriptionSettings, reporter: Reporter, force: bool,
                 backend: Backend | None):
        self.root, self.settings, self.reporter, self.force = root, settings, reporter, force
        self._backend = backend
        self.run = TranscriptionRun()

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = create_backend(self.settings, self.root)
        return self._backend

    def run_all(self) -> TranscriptionRun:
        reader = TalkLoader(self.root)  # its errors are the load's to report
        for name, files in reader.groups().items():
            found = reader.files_of(name, files)
            if found is None or found.recording is None:
                continue
            sidecar, _ = reader.read_sidecar(found.sidecar)
            if found.sidecar is not None and sidecar is None:
                continue
            record = sidecar.transcription if sidecar else None
            state = transcript_state(found.recording, found.transcript, record)
            if state == "needed" or (self.force and found.transcript is not None):
                self._transcribe(name, found.recording, found.transcript, found.sidecar, record)
        return self.run

    def _transcribe(self, name: str, recording: Path, transcript: Path | None, sidecar_path: Path | None,
                    record: TranscriptionRecord | None) -> None:
        shown = relative_name(recording, self.root)
        self.run.handled.add(shown)
        media_hash = file_sha256(recording)
        edited = transcript is not None and (record is None or file_sha256(transcript) != record.transcript_sha256)
        target = recording.with_name(f"{name}{COMPARISON}.vtt") if edited else recording.with_name(f"{name}.vtt")
        try:
            result = transcribe_media(
                recording, self.backend, self.settings,
                lambda done, total: self.reporter.progress(f"Transcribing {recording.name}", done / 60, total / 60, "audio min"),
            )
        except PartnerkitError as exc:
            self.run.errors.append(ContentError(shown, 1, 1, "", str(exc)))
            return
        if not result.segments:
            self.reporter.warning(f"{shown}: no speech found")
        target.write_text(vtt_text(result), encoding="utf-8")
        self.run.transcribed.append(shown)
        if edited:
            self.reporter.warning(f"{shown}: fresh transcript written to {relative_name(target, self.root)} for comparison")
            return
        new_record = TranscriptionRecord(
            media=recording.name, media_sha256=media_hash, transcript=target.name, transcript_sha256=file_sha256(target),
            backend=result.backend, model=result.model, language=result.language,
        )
        sidecar_file = sidecar_path or recording.with_name(f"{name}.yml")
        if sidecar_path is None:
            replace_top_level(sidecar_file, "title", title_from_name(name))
            replace_top_level(sidecar_file, "review", "draft")
        replace_top_level(sidecar_file, "transcription", new_record.model_dump(), comment=RECORD_COMMENT)
