"""The history pool of generated pictures that CycleGAN's discriminators learn from (Shrivastava et al. 2017).

A discriminator that only ever sees the newest fakes can be steered back and forth by G, each model
chasing the other's last move. The pool keeps up to ``size`` past fakes; each new fake is either
shown to D as it is, or (once the pool is full, with probability 1/2) swapped for a random stored one,
which then takes its place in the pool. D thus judges a mix of current and older generators.

Draws come from torch's global generator, which checkpoints save; :meth:`state_dict` saves the
stored pictures, so a resumed run queries the same pool as an uninterrupted one.
"""
from __future__ import annotations

import torch


class ImagePool:
    """Up to ``size`` past fakes [k, C, H, W] (detached); ``size`` 0 passes every batch through unchanged."""

    def __init__(self, size: int = 50):
        self.size = int(size)
        self.images: torch.Tensor | None = None  # [k, C, H, W], k <= size, filled in arrival order

    def __len__(self) -> int:
        return 0 if self.images is None else len(self.images)

    @torch.no_grad()
    def query(self, fakes: torch.Tensor) -> torch.Tensor:
        """fakes [B, C, H, W] -> [B, C, H, W] for D: each row the new fake or, half the time once full, an old one."""
        fakes = fakes.detach()
        if self.size <= 0:
            return fakes
        out = fakes.clone()
        for i in range(len(fakes)):
            if len(self) < self.size:  # filling up: store it and show it
                new = fakes[i:i + 1].clone()
                self.images = new if self.images is None else torch.cat([self.images, new])
            elif torch.rand(()) < 0.5:  # show a stored fake and keep the new one in its place
                j = int(torch.randint(self.size, ()))
                out[i] = self.images[j]
                self.images[j] = fakes[i]
        return out

    def state_dict(self) -> dict:
        return {"images": self.images.cpu() if self.images is not None else torch.zeros(0)}

    def load_state_dict(self, state: dict, device: torch.device | str = "cpu") -> None:
        images = state.get("images")
        self.images = images.to(device) if images is not None and images.numel() else None
