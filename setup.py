"""Install the mmaction-tsfmicro plugin: ``pip install -e .``.

As MMAction2's ``setup.py``, it puts the configs, the tools, the model index
and the released demo checkpoint inside the package (``mmaction_tsfmicro/
.mim/``), so that an installed wheel serves ``mim list``, ``mim search``,
``mim train``/``test``/``run`` and inference without the repository: copies
in a wheel or an sdist, links in an editable install.
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

#: What ``.mim/`` holds: repository paths.
MIM_FILES = ('configs', 'tools', 'model-index.yml', 'checkpoints')


def read_version() -> str:
    scope: dict = {}
    with open(osp.join('mmaction_tsfmicro', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def add_mim_extension() -> None:
    """Put :data:`MIM_FILES` into ``mmaction_tsfmicro/.mim``: links for an
    editable install, copies for a wheel or an sdist (as MMAction2's)."""
    if 'develop' in sys.argv or 'editable_wheel' in sys.argv:
        mode = 'symlink'
    elif any(c in sys.argv for c in ('sdist', 'bdist_wheel', 'build',
                                     'install', 'bdist')):
        mode = 'copy'
    else:
        return
    root = osp.dirname(osp.abspath(__file__))
    mim = osp.join(root, 'mmaction_tsfmicro', '.mim')
    os.makedirs(mim, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(root, name), osp.join(mim, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if not osp.exists(src):
            continue
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim), dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns(
                '__pycache__', '*.pyc'))
        else:
            shutil.copyfile(src, dst)


with open('README.md', encoding='utf-8') as f:
    long_description = f.read()

add_mim_extension()

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
    package_data={'mmaction_tsfmicro': ['.mim/**/*', '.mim/*']},
    entry_points={
        'console_scripts': [
            'tsfmicro=mmaction_tsfmicro.cli:main',
        ],
    },
    install_requires=[
        'torch>=2.1',
        'mmengine>=0.10.0,<1.0',
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
        # MMCV, as MMAction2 names it: the full build (``mim install mmcv``
        # chooses the one for the machine's torch and CUDA) or the lite one
        # (no compiled ops; what the plugin needs). Not chosen by the
        # machine that builds the wheel: the user chooses.
        'mim': ['mmcv>=2.0.0rc4,<2.2.0'],
        'lite': ['mmcv-lite>=2.0.0rc4,<2.2.0'],
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
