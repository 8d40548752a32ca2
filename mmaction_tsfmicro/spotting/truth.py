"""The annotated intervals of one video of a spotting file (what a stream
of that video is scored against, ``tools/stream.py --truth``)."""
import os.path as osp

from ..annotations import load_annotation_file


def video_truth(ann: str, video: str) -> dict:
    """The entry of ``video`` in a spotting file, with its intervals as
    0-based frame indices (``truths``) and the file's ``classes``.

    Args:
        ann (str): The spotting file.
        video (str): The video's file (or name).

    Returns:
        dict: The ``metainfo.videos`` entry, ``truths`` and ``classes``.

    Raises:
        KeyError: If the file has no such video.
    """
    data = load_annotation_file(ann)
    name = osp.splitext(osp.basename(video))[0]
    for entry in data['metainfo'].get('videos', []):
        names = {entry['video'], osp.splitext(osp.basename(
            entry.get('video_file') or ''))[0]}
        if name in names:
            first = int(entry.get('first_frame', 1))
            truths = [(r['onset'] - first, r['offset'] - first, r['label'])
                      for r in data['data_list']
                      if r['subject'] == entry['subject'] and r.get(
                          'clip_dir', r['clip']) == entry['video']]
            return dict(entry, truths=sorted(truths),
                        classes=data['metainfo'].get('classes'))
    raise KeyError(f'{ann}: no video named {name!r} in metainfo.videos')
