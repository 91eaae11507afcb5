"""Small reusable widgets: collapsible section, scientific spin box, labelled slider, image canvas, theme."""
