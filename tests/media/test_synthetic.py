import cv2
import numpy as np
import pytest

from media.exceptions import ImageUnreadable
from media.labels import LabelContent, render_label_png
from media.symbols import qr_modules
from media.synthetic import CONDITIONS, empty_scene, photograph, scene

LABEL = render_label_png(LabelContent("Lactose", (("Lot", "L1"),), "stepwise:container:C-1"))


def test_photograph_is_a_jpeg_of_the_requested_size_and_the_same_per_seed():
    photo = photograph(LABEL, seed=3, size=(640, 360))

    assert photo[:2] == b"\xff\xd8"
    assert cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR).shape == (360, 640, 3)
    assert photograph(LABEL, seed=3, size=(640, 360)) == photo
    assert photograph(LABEL, seed=4, size=(640, 360)) != photo


def test_photograph_of_something_that_is_not_an_image_is_refused():
    with pytest.raises(ImageUnreadable):
        photograph(b"not a png")


@pytest.mark.parametrize("condition", CONDITIONS)
def test_scene_is_a_bgr_frame_the_same_per_seed(condition):
    modules = qr_modules("stepwise:container:C-1")

    frame = scene(modules, 3, condition, seed=1, size=(640, 360))

    assert frame.shape == (360, 640, 3)
    assert np.array_equal(frame, scene(modules, 3, condition, seed=1, size=(640, 360)))


def test_scene_refuses_an_unknown_condition():
    with pytest.raises(ValueError, match="fog"):
        scene(qr_modules("x"), 3, "fog", seed=1)


def test_empty_scene_is_a_bgr_frame_the_same_per_seed():
    frame = empty_scene(seed=2, size=(640, 360))

    assert frame.shape == (360, 640, 3)
    assert np.array_equal(frame, empty_scene(seed=2, size=(640, 360)))
