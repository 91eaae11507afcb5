"""Qt-free view state: plain Python objects the views subscribe to (napari ``components/`` style).

Nothing here imports Qt, and nothing imports torch at module level, so these objects are cheap to
build, easy to test, and can be filled on a worker thread before being handed to the GUI.
"""
from studio.state.buffers import GrowingArray, Series
from studio.state.events import Event
from studio.state.gallery import GalleryState, SampleSelection
from studio.state.session import TrainingSession

__all__ = ["Event", "GalleryState", "GrowingArray", "SampleSelection", "Series", "TrainingSession"]
