from .augmentations import PaddedRandomCrop, RandomRotate
from .flow import LoadFlow
from .frame_pair import SelectFramePair
from .loading import LoadFramePair

__all__ = [
    'SelectFramePair', 'LoadFramePair', 'RandomRotate', 'PaddedRandomCrop',
    'LoadFlow'
]
