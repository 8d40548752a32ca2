"""Install the mmaction-tsfmicro plugin: ``pip install -e .``."""
import os.path as osp

from setuptools import find_packages, setup


def read_version() -> str:
    scope: dict = {}
    with open(osp.join('mmaction_tsfmicro', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def mmcv_requirement() -> str:
    """The full mmcv when it is installed already, else mmcv-lite.

    Both provide the ``mmcv`` package; installing one beside the other
    would overwrite it. MMAction2 1.2 refuses mmcv >= 2.2.0.
    """
    try:
        from importlib.metadata import PackageNotFoundError, version
        version('mmcv')
        return 'mmcv>=2.0.0rc4,<2.2.0'
    except (ImportError, PackageNotFoundError):
        return 'mmcv-lite>=2.0.0rc4,<2.2.0'


with open('README.md', encoding='utf-8') as f:
    long_description = f.read()

setup(
    name='mmaction-tsfmicro',
    version=read_version(),
    description='TSFmicro and micro-expression recognition (LOSO) for '
    'MMAction2',
    long_description=long_description,
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    python_requires='>=3.8',
    packages=find_packages(
        include=['mmaction_tsfmicro', 'mmaction_tsfmicro.*']),
    include_package_data=True,
    install_requires=[
        'torch>=2.1',
        'mmengine>=0.10.0,<1.0',
        mmcv_requirement(),
        'mmaction2>=1.2.0,<1.3',
        'numpy>=1.21,<2',
        'opencv-python>=4.5,<4.12',
        'opencv-contrib-python>=4.5,<4.12',
        'importlib-metadata',
        'einops>=0.6',
        'pandas>=1.5',
        'openpyxl>=3.0',
        'scikit-learn>=1.0',
        'matplotlib>=3.5',
        'tqdm',
    ],
    extras_require={
        # face detection/alignment backends (tools/data/preprocess_faces.py)
        'faces': [
            'mediapipe>=0.10.14',
            'dlib-bin>=19.24',
            'face_recognition_models>=0.3.0',
            'scikit-image>=0.21',
        ],
        'tests': ['pytest>=7'],
    },
    classifiers=[
        'Programming Language :: Python :: 3',
        'License :: OSI Approved :: Apache Software License',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ],
)
