from .augmentations import PaddedRandomCrop, RandomRotate
from .clip_key_frames import LoadClipKeyFrames
from .clip_sampling import SampleClipFrames
from .facial_regions import FacialRegionTiles
from .flow import LoadFlow
from .frame_difference import FlowAsFramePair, FrameDifference
from .frame_pair import SelectFramePair
from .key_frames import SelectKeyFrames
from .loading import LoadFramePair

__all__ = [
    'SelectFramePair', 'LoadFramePair', 'RandomRotate', 'PaddedRandomCrop',
    'LoadFlow', 'SampleClipFrames', 'SelectKeyFrames', 'FrameDifference',
    'FlowAsFramePair', 'LoadClipKeyFrames', 'FacialRegionTiles'
]
