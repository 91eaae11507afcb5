"""GAN Studio Qt application."""
