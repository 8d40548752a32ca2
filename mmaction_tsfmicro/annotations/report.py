"""The report of a conversion: every rule for irregular rows that fired.

Every row of a label sheet either becomes one sample or is left out by a
rule of :data:`RULES`; every rule that fires is recorded in a
:class:`ConversionReport`, which the tool prints and stores in the
annotation file's ``metainfo['irregular']``. Nothing is dropped silently.
"""
import os.path as osp
from collections import Counter
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from ..utils.fileio import file_sha256


@dataclass(frozen=True)
class Rule:
    """A rule for irregular rows.

    Args:
        kind (str): What happens to the row: ``left out`` (by design, not an
            error of the sheet), ``dropped`` (the row cannot be used),
            ``repaired`` (kept with a corrected value) or ``kept`` (kept as
            written, flagged).
        text (str): The rule, as docs/annotations.md states it.
        list_all (bool): List every row the rule fires on in the summary
            (rows of ``dropped`` and ``repaired`` rules always are).
    """

    kind: str
    text: str
    list_all: bool = False


#: Onset-to-offset spans longer than this (seconds) are flagged
#: (``long_span``): four times the half second that bounds a
#: micro-expression.
LONG_SPAN_SECONDS = 2.0

#: Every rule, in the order the report lists them.
RULES: Dict[str, Rule] = {
    'blank_row': Rule('left out', 'a row with no values is skipped'),
    'excluded_emotion': Rule(
        'left out', 'the emotion has no class in the chosen class set'),
    'not_in_composite': Rule(
        'left out', 'the sheet row is not listed in the MEGC 2019 '
        'composite list'),
    'smic_left_out': Rule(
        'left out', 'SMIC row of the composite list while no SMIC '
        'annotation sheet was given'),
    'duplicate_row': Rule(
        'dropped', 'same subject, clip, frames and emotion as an earlier '
        'row: the later copy is dropped'),
    'conflicting_rows': Rule(
        'dropped', 'rows that annotate the same sample differently (same '
        'clip folder; for CAS(ME)^3 same folder and onset): all of them '
        'are dropped'),
    'composite_unmatched': Rule(
        'dropped', 'composite row with no row of its dataset\'s sheet'),
    'unplaceable_frames': Rule(
        'dropped', 'the onset is missing where the first frame number is '
        'unknown, or apex and offset are both missing'),
    'missing_onset': Rule(
        'repaired', 'onset missing or 0 where the frame numbers start at '
        'a known first frame (CAS(ME)^3: 1): the onset is that first frame'),
    'missing_offset': Rule(
        'repaired', 'offset missing or 0: the offset is the apex'),
    'missing_apex': Rule(
        'repaired', 'apex missing ("/", blank or 0): the apex is the middle '
        'of onset..offset, floor((onset + offset) / 2)'),
    'onset_after_offset': Rule(
        'repaired', 'onset after both apex and offset: the onset is '
        're-estimated as 2 * apex - offset (apex in the middle), at least '
        'the first frame'),
    'offset_before_onset': Rule(
        'repaired', 'offset before both onset and apex: the offset is '
        're-estimated as 2 * apex - onset (apex in the middle)'),
    'reversed_frames': Rule(
        'repaired', 'offset < apex < onset (written backwards): onset and '
        'offset are swapped'),
    'apex_outside': Rule(
        'repaired', 'apex before the onset or after the offset: the apex '
        'is the middle of onset..offset'),
    'id_spelling': Rule(
        'repaired', 'subject or clip with surrounding spaces, or a '
        'CAS(ME)^3 task letter in upper case: normalized'),
    'emotion_spelling': Rule(
        'repaired', 'emotion word in another case or spacing than the '
        'sheet\'s usual spelling of it, or an accepted variant (other / '
        'others): normalized'),
    'label_mismatch': Rule(
        'kept', 'the composite list\'s label differs from the class of the '
        'sheet\'s emotion: the composite label is used'),
    'long_span': Rule(
        'kept', 'onset to offset longer than '
        f'{LONG_SPAN_SECONDS:g} s at the data set\'s frame rate, far past '
        'the half second of a micro-expression (likely a mistyped offset): '
        'kept as annotated, flagged; the onset/apex pair is unaffected, '
        'inputs built from the whole span are not', list_all=True),
    'apex_at_onset': Rule(
        'kept', 'apex equals onset: kept as annotated (the onset/apex pair '
        'shows no motion)'),
    'shared_clip_folder': Rule(
        'kept', 'CAS(ME)^3 task folder that holds several samples: each '
        'gets the clip id <folder>_<onset>'),
}


class ConversionReport:
    """What a conversion read, and every rule that fired on which row.

    Args:
        dataset (str): The converted dataset (``casme2`` ... ``megc2019``).
        class_set (ClassSet): The class set of the output.
        title (str, optional): The dataset's display name (e.g. ``CASME
            II``); defaults to ``dataset``.
    """

    def __init__(self, dataset: str, class_set,
                 title: Optional[str] = None) -> None:
        self.dataset = dataset
        self.class_set = class_set
        self.title = title or dataset
        self.sources: List[Dict[str, Any]] = []
        self.entries: Dict[str, List[Dict[str, Any]]] = {}
        self.notes: List[str] = []

    def add_source(self, path: str, kind: str, rows: int,
                   worksheet: Optional[str] = None,
                   header_row: Optional[int] = None) -> None:
        """Record a file that was read."""
        self.sources.append(
            dict(file=osp.basename(path), kind=kind, worksheet=worksheet,
                 header_row=header_row, rows=rows, sha256=file_sha256(path)))

    def add(self, rule: str, where: Dict[str, Any], detail: str = '') -> None:
        """Record that ``rule`` fired on a row.

        Args:
            rule (str): A key of :data:`RULES`.
            where (dict): ``file``, ``row`` and, where known, ``dataset``,
                ``subject`` and ``clip`` of the row.
            detail (str): What was found and done, e.g. ``"apex '/' ->
                291"``.
        """
        if rule not in RULES:
            raise KeyError(f'unknown rule {rule!r}')
        entry = {k: where.get(k) for k in ('file', 'row', 'dataset',
                                           'subject', 'clip')
                 if where.get(k) is not None}
        entry['detail'] = detail
        self.entries.setdefault(rule, []).append(entry)

    def rows(self, rule: str) -> List[Dict[str, Any]]:
        """The rows a rule fired on."""
        return list(self.entries.get(rule, []))

    def count(self, rule: str) -> int:
        """How many rows a rule fired on."""
        return len(self.entries.get(rule, []))

    def irregular(self) -> Dict[str, Dict[str, Any]]:
        """The rules that fired, for ``metainfo['irregular']``."""
        return {
            rule: dict(kind=RULES[rule].kind, rule=RULES[rule].text,
                       count=len(self.entries[rule]),
                       rows=self.entries[rule])
            for rule in RULES if rule in self.entries
        }

    # ------------------------------------------------------------------
    @staticmethod
    def _counts(records: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
        datasets = Counter(r['dataset'] for r in records)
        return dict(
            samples=len(records),
            subjects=len({(r['dataset'], r['subject']) for r in records}),
            per_dataset={
                d: dict(samples=n,
                        subjects=len({r['subject'] for r in records
                                      if r['dataset'] == d}))
                for d, n in datasets.items()
            })

    def metainfo(self, records: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
        """The ``metainfo`` of the annotation file."""
        cs = self.class_set
        per_class = Counter(r['label'] for r in records)
        counts = self._counts(records)
        counts['per_class'] = {c: per_class.get(i, 0)
                               for i, c in enumerate(cs.classes)}
        return dict(
            dataset_name=self.dataset, class_set=cs.name,
            classes=list(cs.classes), sources=self.sources, counts=counts,
            irregular=self.irregular(), notes=list(self.notes),
            generated_by='tools/data/build_annotations.py')

    def summary(self, records: Sequence[Dict[str, Any]],
                limit: int = 10) -> str:
        """The text the tool prints: counts, then each rule with its rows.

        Args:
            records (sequence[dict]): The written records.
            limit (int): Rows listed per rule whose rows are left out by
                design or kept as written (all are in the metainfo); the
                rows of ``dropped`` and ``repaired`` rules are all listed.

        Returns:
            str: The summary, several lines.
        """
        cs = self.class_set
        meta = self.metainfo(records)
        lines = [f'{self.title} -> {cs.name}: {", ".join(cs.classes)}']
        for src in self.sources:
            where = ''
            if src['worksheet']:
                where = (f' (worksheet {src["worksheet"]}, header row '
                         f'{src["header_row"]})')
            lines.append(f'  read {src["file"]}{where}: {src["rows"]} rows')
        counts = meta['counts']
        lines.append(f'  samples: {counts["samples"]} of '
                     f'{counts["subjects"]} subjects; per class: ' +
                     ', '.join(f'{c} {n}'
                               for c, n in counts['per_class'].items()))
        if len(counts['per_dataset']) > 1 or self.dataset == 'megc2019':
            for d, c in counts['per_dataset'].items():
                lines.append(f'    {d}: {c["samples"]} samples of '
                             f'{c["subjects"]} subjects')
        for note in self.notes:
            lines.append(f'  NOTE: {note}')
        if not self.entries:
            lines.append('  irregular rows: none')
        for rule, info in meta['irregular'].items():
            lines.append(f'  [{info["kind"]}] {rule}: {info["count"]} '
                         f'row(s) - {info["rule"]}')
            if info['kind'] == 'left out' and rule != 'blank_row':
                by_word = Counter(r['detail'].split(';')[0]
                                  for r in info['rows'])
                kind = 'class' if rule == 'smic_left_out' else 'emotion'
                lines.append(f'      by {kind}: ' + ', '.join(
                    f'{w} {n}' for w, n in by_word.most_common()))
            shown = info['count']
            if info['kind'] in ('left out', 'kept') and not RULES[
                    rule].list_all:
                shown = min(shown, limit)
            for entry in info['rows'][:shown]:
                lines.append(f'      {_where(entry)}: {entry["detail"]}')
            if info['count'] > shown:
                lines.append(f'      ... and {info["count"] - shown} more '
                             '(all in metainfo["irregular"])')
        return '\n'.join(lines)


def _where(entry: Dict[str, Any]) -> str:
    name = '/'.join(
        str(entry[k]) for k in ('dataset', 'subject', 'clip') if k in entry)
    return f'{name} ({entry.get("file", "?")} row {entry.get("row", "?")})'
