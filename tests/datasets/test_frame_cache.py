"""The frame cache: the decoder's exact bytes, a miss for a frame changed
since it was cached, the cache named after its frames, and the loader
reading through their ``frame_cache`` argument."""
import glob
import json
import os
import os.path as osp

import cv2
import mmcv
import numpy as np
import pytest

from mmaction_tsfmicro.datasets import frame_cache
from mmaction_tsfmicro.datasets.frame_cache import (FrameCache,
                                                    build_frame_cache,
                                                    cache_digest)
from mmaction_tsfmicro.datasets.transforms.loading import (LoadFramePair,
                                                           read_frame)
from mmaction_tsfmicro.testing import make_synthetic_dataset


@pytest.fixture
def frames(tmp_path):
    """The 45 JPEG frames of one generated subject (5 clips of 9)."""
    root = tmp_path / 'data'
    make_synthetic_dataset(str(root), subjects=['sub01'])
    paths = sorted(glob.glob(str(root / 'sub01' / '*' / '*.jpg')))
    assert len(paths) == 45
    return paths


@pytest.fixture
def no_open_caches(monkeypatch):
    # each test opens the caches it names afresh
    monkeypatch.setattr(frame_cache, '_opened', {})


def decoded(path, flag='color'):
    with open(path, 'rb') as f:
        return mmcv.imfrombytes(f.read(), flag=flag, channel_order='bgr')


def sample(path):
    """A pipeline sample whose every frame number names ``path``."""
    folder, name = osp.split(path)
    return dict(frame_dir=folder, filename_tmpl=name, subject='sub01',
                clip='c')


def test_a_cached_frame_is_the_decoders_bytes(frames, tmp_path,
                                              monkeypatch):
    folder, built = build_frame_cache(frames, str(tmp_path / 'cache'),
                                      workers=2)
    assert built and osp.basename(folder) == cache_digest(frames)
    cache = FrameCache(folder)
    assert len(cache) == 45 and cache.info['skipped'] == 0
    assert cache.nbytes == 45 * 32 * 32 * 3
    assert osp.getsize(osp.join(folder, 'frames.u8')) == cache.nbytes
    for path in frames:
        img = cache.get(path)
        ref = decoded(path)
        assert img.dtype == np.uint8 and img.shape == (32, 32, 3)
        assert np.array_equal(img, ref)
        img[0, 0] = 0  # a copy: the cache itself is read-only
    assert cache.hits == 45 and cache.misses == 0
    assert np.array_equal(cache.get(frames[0]), decoded(frames[0]))
    # relative paths name the same files
    monkeypatch.chdir(osp.dirname(frames[0]))
    assert osp.basename(frames[0]) in cache
    assert np.array_equal(cache.get(osp.basename(frames[0])),
                          decoded(frames[0]))
    assert cache.get(str(tmp_path / 'elsewhere.jpg')) is None


def test_a_frame_changed_after_caching_is_read_from_its_file(
        frames, tmp_path, no_open_caches, monkeypatch):
    folder, _ = build_frame_cache(frames, str(tmp_path / 'cache'))
    cache = FrameCache(folder)
    changed, touched = frames[3], frames[4]
    old = decoded(changed)
    cv2.imwrite(changed, np.full((32, 32, 3), 7, np.uint8))
    # the same bytes with another modification time: a miss too
    st = os.stat(touched)
    os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert cache.get(changed) is None and cache.get(touched) is None
    assert cache.misses == 2
    img = read_frame(sample(changed), 1, channel_order='bgr',
                     frame_cache=folder)
    assert np.array_equal(img, decoded(changed))
    assert not np.array_equal(img, old)
    assert np.array_equal(
        read_frame(sample(touched), 1, channel_order='bgr',
                   frame_cache=folder), decoded(touched))
    # a new cache of the changed frames has another name
    assert cache_digest(frames) != osp.basename(folder)


def test_the_cache_is_found_built_and_replaced_when_frames_change(
        frames, tmp_path):
    root = str(tmp_path / 'cache')
    first, built = build_frame_cache(frames, root)
    again, built_again = build_frame_cache(list(reversed(frames)), root)
    assert built and not built_again and again == first
    cv2.imwrite(frames[0], np.zeros((32, 32, 3), np.uint8))
    second, built = build_frame_cache(frames, root)
    assert built and second != first
    # the cache of the old frames is removed, unless asked to keep it
    assert os.listdir(root) == [osp.basename(second)]
    third, _ = build_frame_cache(frames[:3], root, keep_others=True)
    assert sorted(os.listdir(root)) == sorted(
        [osp.basename(second), osp.basename(third)])
    assert cache_digest(frames, extra='x') != cache_digest(frames)


def test_frames_that_cannot_be_decoded_are_left_out(frames, tmp_path):
    broken, missing = frames[0], str(tmp_path / 'missing.jpg')
    data = open(broken, 'rb').read()
    with open(broken, 'wb') as f:
        f.write(data[:len(data) // 2])  # cut short
    folder, _ = build_frame_cache(frames + [missing], str(tmp_path / 'c'))
    cache = FrameCache(folder)
    with open(osp.join(folder, 'index.json')) as f:
        index = json.load(f)
    assert (index['num_frames'], index['skipped']) == (44, 2)
    assert broken not in cache and missing not in cache
    assert cache.get(broken) is None
    # the loader then reports the file itself
    with pytest.raises(ValueError, match='img1.jpg'):
        read_frame(sample(broken), 1)


def test_the_loader_reads_through_the_named_cache(frames, tmp_path,
                                                  no_open_caches):
    folder, _ = build_frame_cache(frames, str(tmp_path / 'cache'))
    clip = osp.dirname(frames[0])
    results = dict(frame_dir=clip, filename_tmpl='img{}.jpg',
                   frame_inds=np.array([1, 5]), subject='sub01', clip='c')
    plain = LoadFramePair()(dict(results))['imgs']
    assert frame_cache._opened == {}  # no cache given, none opened
    cached = LoadFramePair(frame_cache=folder)(dict(results))['imgs']
    cache = frame_cache.open_cache(folder)
    assert cache is not None and cache.hits == 2
    # the sample's frame_cache (MicroExpressionDataset(frame_cache=...))
    from_sample = LoadFramePair()(dict(results, frame_cache=folder))['imgs']
    assert cache.hits == 4
    assert all(np.array_equal(a, b) for a, b in zip(plain, from_sample))
    assert all(np.array_equal(a, b) for a, b in zip(plain, cached))
    assert np.array_equal(cached[0], mmcv.bgr2rgb(decoded(frames[0])))
    # other flags are read from the files, and decode as they always did
    gray = read_frame(results, 1, flag='grayscale', frame_cache=folder)
    assert cache.hits == 4 and gray.shape == (32, 32)
    assert np.array_equal(gray, decoded(frames[0], 'grayscale'))
    # a folder that is no cache is ignored: the files are read
    assert frame_cache.open_cache(str(tmp_path)) is None
    again = LoadFramePair(frame_cache=str(tmp_path))(dict(results))['imgs']
    assert all(np.array_equal(a, b) for a, b in zip(plain, again))


def test_a_cache_of_another_format_is_refused(frames, tmp_path):
    folder, _ = build_frame_cache(frames[:2], str(tmp_path / 'cache'))
    index_path = osp.join(folder, 'index.json')
    with open(index_path) as f:
        index = json.load(f)
    index['version'] = 99
    with open(index_path, 'w') as f:
        json.dump(index, f)
    with pytest.raises(ValueError, match='frame cache of format 99'):
        FrameCache(folder)
    # built again, not refused run after run
    again, built = build_frame_cache(frames[:2], str(tmp_path / 'cache'))
    assert (again, built) == (folder, True)
    assert FrameCache(folder).info['version'] == 1


@pytest.mark.parametrize('damage', ['cut', 'garbage', 'rows'])
def test_a_damaged_cache_is_named_and_built_again(frames, tmp_path, damage):
    folder, _ = build_frame_cache(frames[:3], str(tmp_path / 'cache'))
    data_path = osp.join(folder, 'frames.u8')
    index_path = osp.join(folder, 'index.json')
    whole = open(data_path, 'rb').read()
    if damage == 'cut':  # a copy of the work dir cut short
        with open(data_path, 'wb') as f:
            f.write(whole[:len(whole) // 2])
        message = (f'{data_path}: the frame cache is cut short or damaged '
                   f'\\({len(whole) // 2} bytes, its index says '
                   f'{len(whole)}\\)')
    elif damage == 'garbage':
        with open(index_path, 'w') as f:
            f.write('{not json')
        message = f'{index_path}: not valid JSON'
    else:
        index = json.load(open(index_path))
        index['frames'] = [['x', 0]]
        json.dump(index, open(index_path, 'w'))
        message = (f'{index_path}: not a frame cache index \\(its frames or '
                   'nbytes do not read\\)')
    with pytest.raises(ValueError, match=message):
        FrameCache(folder)
    again, built = build_frame_cache(frames[:3], str(tmp_path / 'cache'))
    assert (again, built) == (folder, True)
    assert open(data_path, 'rb').read() == whole
    cache = FrameCache(folder)
    assert np.array_equal(cache.get(frames[1]), decoded(frames[1]))
