"""Loading ``content/``: every document validated, every reference resolved, all errors at once."""

from __future__ import annotations

from pathlib import Path

from generator.layout import CONTENT_DIR
from generator.errors import ContentError, ContentErrors
from generator.files import RealPaths
from generator.load.config import read_config
from generator.load.readers import CONTENT_READERS, content_files
from generator.load.cross_references import check_references
from generator.load.talks import TalkLoader, TranscriptionRun
from generator.load.validation import describe, did_you_mean, validate
from generator.load.yaml_source import SourceDocument
from generator.model.catalog import Catalog
from generator.model.config import SiteConfig
from generator.reporter import NullReporter, Reporter
from generator.model.content import CONTENT_KINDS, Document



def load_project(root: Path, reporter: Reporter = NullReporter(), transcription: TranscriptionRun | None = None) -> Catalog:
    """Read ``site_config.yml``, ``content/`` and ``transcripts/`` under ``root``; raise ContentErrors
    listing every problem. ``transcription``: what the transcribe step run before did (its errors are
    reported with the load's; recordings it handled get no "not transcribed" warning)."""
    config, errors = read_config(root)
    return load_content(root, config, errors, reporter, transcription)


def load_content(root: Path, config: SiteConfig | None, config_errors: list[ContentError],
                 reporter: Reporter = NullReporter(), transcription: TranscriptionRun | None = None) -> Catalog:
    """:func:`load_project` with the settings already read: ``config`` (None where it did not load, and
    ``config_errors`` say why, listed with the content's errors)."""
    errors = list(config_errors)
    placed: list[tuple[Document, SourceDocument]] = []
    invalid: set[str] = set()
    content_dir = root / CONTENT_DIR
    if not content_dir.is_dir():
        errors.append(ContentError(CONTENT_DIR, 1, 1, "", "folder not found: put the YAML playbooks in content/"))
    else:
        paths, link_errors = content_files(content_dir, root)
        errors.extend(link_errors)
        real_root = RealPaths(root)  # the root and each folder resolved once, not per file
        for path in paths:
            sources, read_errors = CONTENT_READERS[path.suffix.lower()](path, root, real_root)
            errors.extend(read_errors)
            for source in sources:
                document, document_errors = _validate_document(source)
                errors.extend(document_errors)
                if document is not None:
                    placed.append((document, source))
                elif isinstance(source.data, dict) and isinstance(source.data.get("id"), str):
                    invalid.add(f"{source.data.get('kind')}:{source.data['id']}")
    if config is None:
        raise ContentErrors(errors)
    talks = TalkLoader(root, reporter, transcription)
    found_talks = talks.load()
    errors.extend(talks.errors)
    errors.extend(transcription.errors if transcription else [])
    catalog, reference_errors = check_references(config, placed, root, invalid, found_talks)
    errors.extend(reference_errors)
    if errors:
        raise ContentErrors(errors)
    return catalog


def _validate_document(source: SourceDocument) -> tuple[Document | None, list[ContentError]]:
    if source.data is None:
        return None, []  # an empty document, e.g. after a trailing '---'
    if not isinstance(source.data, dict):
        return None, [source.error((), f"expected a mapping with a 'kind' key, got {describe(source.data)}")]
    kind = source.data.get("kind")
    if kind is None:
        kinds = ", ".join(sorted(CONTENT_KINDS))
        return None, [source.error(("kind",), f"required key is missing (one of [{kinds}])")]
    model = CONTENT_KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        kinds = sorted(CONTENT_KINDS)
        return None, [source.error(
            ("kind",), f"unknown kind {describe(kind)}{did_you_mean(kind, kinds)}; expected one of [{', '.join(kinds)}]"
        )]
    return validate(model, source)
