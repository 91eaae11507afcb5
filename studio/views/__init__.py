"""One module per view; each subscribes to a Qt-free state object and never calls torch."""
