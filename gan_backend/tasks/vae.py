"""The variational autoencoder's task: the ``vae`` model trained by the same loop as every GAN.

Each step draws a batch x, encodes it to q(z | x) = N(mu, diag(exp(logvar))), decodes one reparameterised
sample z = mu + exp(logvar / 2) * eps and takes one Adam step of encoder and decoder on the negative ELBO:

    loss_elbo = loss_recon + loss_kl,   loss_recon = |x - G(z)|^2 / (2 sigma^2),
    loss_kl = KL(q(z | x) || N(0, I)) = -1/2 sum(1 + logvar - mu^2 - exp(logvar))

both summed over pixels / latent dimensions and averaged over the batch, in nats per picture (the
reconstruction term drops the Gaussian's constant). A small sigma trades blur for a looser latent code.
The loop's ``lr_g`` is the decoder's learning rate and ``lr_d`` the encoder's; ``d_steps`` and ``g_steps``
mean nothing here (one ELBO step per step). Samples, the EMA of the decoder and ``generate`` are the GAN
task's, so grids, checkpoints, the loader and the explorer work unchanged.
"""
from __future__ import annotations

import copy

import torch

from gan_backend.models import MODELS
from gan_backend.tasks.base import TASKS, Task
from gan_backend.tasks.gan import FIXED_SEED_OFFSET, GanTask

RECON_SIGMA = 0.5  # std of the Gaussian decoder in -1..1 pixel units: blurry, and its prior samples cover every class


@TASKS.register("vae")
class VaeTask(GanTask):
    """Encoder E and decoder G trained together on the negative ELBO; no discriminator, no adversarial loss."""

    conditional = False
    loss = None  # no GAN loss: reports say d_output "critic" and carry no D(x) / D(G(z))
    loss_names = ("loss_elbo", "loss_recon", "loss_kl")

    def __init__(self, cfg, data, device, rank=0, world=1):
        # Not GanTask.__init__: that builds a GAN loss, a penalty and D's augmentation, none of which a VAE has.
        Task.__init__(self, cfg, data, device, rank, world)
        if data.kind != "image":
            raise ValueError(f"the vae model trains on pictures; dataset {data.name!r} holds {data.kind}")
        self.G, self.E = MODELS.get(cfg.model.name)(self.model_spec())
        self.G.to(device), self.E.to(device)
        self.G_ema = copy.deepcopy(self.G).eval().requires_grad_(False)
        self.G_run, self.E_run = self.distribute(self.G), self.distribute(self.E)
        t = cfg.train
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=t.lr_g, betas=(t.beta1, t.beta2))
        self.opt_e = torch.optim.Adam(self.E.parameters(), lr=t.lr_d, betas=(t.beta1, t.beta2))
        self.ema_updates = 0
        self.fixed_z, self.fixed_y = self.make_inputs(cfg.run.grid_size, seed=cfg.train.seed + FIXED_SEED_OFFSET)

    def modules(self):
        return {"G": self.G, "E": self.E, "G_ema": self.G_ema}

    def optimizers(self):
        return {"G": self.opt_g, "D": self.opt_e}  # "D": the loop's lr_d reaches the encoder

    def state_dict(self):
        self.ema_generator()
        return {**Task.state_dict(self), "ema_updates": self.ema_updates}

    def load_state_dict(self, state):
        Task.load_state_dict(self, state)
        self.ema_updates = int(state.get("ema_updates", 0))

    # --- steps ---
    def train_step(self, next_batch, d_steps: int, g_steps: int, measure: bool):
        yield self.elbo_step(next_batch(), measure)

    def d_step(self, batch, measure, keep_fakes=True):
        return self.elbo_step(batch, measure)

    def g_step(self, batch, measure):
        return self.elbo_step(batch, measure)

    def elbo_step(self, batch, measure: bool) -> dict[str, torch.Tensor]:
        x = batch["x"]  # [B, C, H, W] in -1..1
        with self.autocast():
            mu, logvar = self.E_run(x)
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            recon, kl = self.elbo_terms(x, self.G_run(z).float(), mu.float(), logvar.float())
        loss = recon + kl
        self.opt_g.zero_grad(set_to_none=True)
        self.opt_e.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        out = {"loss_elbo": loss.detach(), "loss_recon": recon.detach(), "loss_kl": kl.detach()}
        if measure:
            out["grad_norm_g"], out["grad_norm_d"] = self._grad_norm(self.opt_g), self._grad_norm(self.opt_e)
        self.scaler.step(self.opt_g)
        self.scaler.step(self.opt_e)
        self.scaler.update()
        self.update_ema()
        return out

    @staticmethod
    def elbo_terms(x, x_hat, mu, logvar) -> tuple[torch.Tensor, torch.Tensor]:
        """(reconstruction, KL) in nats per picture, batch means; their sum is the negative ELBO."""
        recon = (x - x_hat).pow(2).flatten(1).sum(1).mean() / (2 * RECON_SIGMA ** 2)
        kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp())).sum(1).mean()
        return recon, kl

    def _grad_norm(self, opt: torch.optim.Optimizer) -> torch.Tensor:
        self.scaler.unscale_(opt)
        grads = [p.grad for group in opt.param_groups for p in group["params"] if p.grad is not None]
        return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))

    # --- pictures ---
    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Pictures [B, C, H, W] in -1..1 -> G_ema(mu(x)), the decoded mean code, same shape."""
        self.E.eval()
        try:
            mu, _ = self.E(x.to(self.device))
        finally:
            self.E.train()
        return self.generate(mu)
