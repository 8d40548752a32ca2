"""Where the frames of a long video are: the CAS(ME)^2 and SAMM layouts.

The spotting sets keep whole recordings, one frame folder per video:

- ``casme2_long`` (CAS(ME)^2, 30 fps):
  ``rawpic/s15/15_0101disgustingteeth/img1.jpg`` (the subject folder
  ``s<NN>``, the video folder ``<NN>_<stimulus code><stimulus name>``,
  frames numbered from 1), the recordings themselves in
  ``rawvideo/s15/15_0101disgustingteeth.avi``; the intervals in
  ``CAS(ME)^2code_final.xlsx`` (:mod:`.sheets`);
- ``samm_long`` (SAMM Long Videos, 200 fps):
  ``SAMM_longvideos/006_1/006_1_0001.jpg`` (the video folder
  ``<subject>_<video>``, four-digit frame numbers); the intervals in
  ``SAMM_LongVideos_V3_Release.xlsx``.

A layout is a frame-path template of :mod:`mmaction_tsfmicro.annotations.
layouts` (``{subject}``, ``{clip}``: the video folder, ``{frame}``), so
:func:`~mmaction_tsfmicro.annotations.layouts.frame_path` reads it; a
normalized spotting file names its template in ``metainfo.layout``.
"""
from dataclasses import dataclass
from typing import Dict, Optional


@dataclass(frozen=True)
class LongVideoLayout:
    """How a long-video set names its folders and files.

    Args:
        name (str): Key of :data:`LONG_VIDEO_LAYOUTS`.
        title (str): The data set.
        frames (str): Frame-path template.
        video_file (str): Template of the recording's file (``{subject}``,
            ``{clip}``), relative to the set's root.
        fps (float): The data set's frame rate.
        sheet (str): File name of the interval sheet the demo writes.
        micro_frames (tuple[int, int]): MEGC's micro-expression length
            range at ``fps`` (frames, both ends included).
    """

    name: str
    title: str
    frames: str
    video_file: str
    fps: float
    sheet: str
    micro_frames: tuple

    def subject_folder(self, number: int) -> str:
        """The folder name of subject ``number`` (1-based)."""
        return f's{number:02d}' if self.name == 'casme2_long' else \
            f'{number:03d}'

    def video_folder(self, number: int, video: int,
                     stimulus: Optional[str] = None) -> str:
        """The folder name of the ``video``-th recording of a subject.

        CAS(ME)^2 appends the stimulus code and name
        (``15_0101disgustingteeth``); SAMM numbers the videos
        (``006_1``).
        """
        if self.name == 'casme2_long':
            return f'{number:02d}_{stimulus_code(video)}' + (
                stimulus or f'demo{video}')
        return f'{number:03d}_{video}'


def stimulus_code(video: int) -> str:
    """The four-digit stimulus code of CAS(ME)^2's naming rule 2 that the
    demo gives its ``video``-th recording (``0101``, ``0102``, ...)."""
    return f'01{video:02d}'


#: The long-video layouts, by name.
LONG_VIDEO_LAYOUTS: Dict[str, LongVideoLayout] = {
    layout.name: layout
    for layout in (
        LongVideoLayout('casme2_long', 'CAS(ME)^2',
                        'rawpic/{subject}/{clip}/img{frame}.jpg',
                        'rawvideo/{subject}/{clip}.avi', 30.0,
                        'CAS(ME)^2code_demo.xlsx', (7, 16)),
        LongVideoLayout('samm_long', 'SAMM Long Videos',
                        'SAMM_longvideos/{clip}/{clip}_{frame:04d}.jpg',
                        'videos/{clip}.avi', 200.0,
                        'SAMM_LongVideos_demo.xlsx', (47, 105)),
    )
}


def get_long_layout(name: str) -> LongVideoLayout:
    """A layout of :data:`LONG_VIDEO_LAYOUTS` by name (``casme2_long``,
    ``samm_long``; ``casme2`` and ``samm`` are accepted too)."""
    key = name if name.endswith('_long') else f'{name}_long'
    if key not in LONG_VIDEO_LAYOUTS:
        raise KeyError(f'unknown long-video layout {name!r}; choose one of '
                       f'{", ".join(sorted(LONG_VIDEO_LAYOUTS))}')
    return LONG_VIDEO_LAYOUTS[key]
