"""The Dirac-GAN by autograd on the real GAN losses (twin of course_lib/tf/dirac.py;
oracle: course_lib/reference/dirac.py).

Data delta_0, generator delta_theta, discriminator logit D(x) = psi * x (Mescheder et al. 2018, arXiv 1801.04406).
Used in: notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

import numpy as np
import torch

from course_lib import validation as check
from course_lib.reference.dirac import hermite_nodes

__all__ = ["losses", "trajectory", "vector_field"]


def losses(theta, psi, loss="standard", r1_gamma=0.0, gp_weight=0.0, noise_std=0.0):
    """(L_D, L_G) of the Dirac-GAN, summed over the elements of theta and psi (float64 tensors).

    standard: L_D = softplus(-D(0 + eps)) + softplus(D(theta + eps)), eps ~ N(0, noise_std^2) by quadrature;
    wgan: L_D = D(theta + eps) - D(0 + eps); regularisers on L_D: r1_gamma/2 ||grad_x D(0)||^2 (autograd),
    gp_weight (||grad_x D(x_hat)|| - 1)^2; L_G = -(L_D without regularisers) (the zero-sum game).

    Args:
        theta, psi: tensors of the same shape (requires_grad for the field).
        loss: "standard" or "wgan"; r1_gamma, gp_weight, noise_std: regularisers (0 = off).
    Returns:
        (d_loss, g_loss), scalar tensors.
    Used in: notebooks/02_gan_instability.ipynb
    """
    check.check_dirac(loss, r1_gamma=r1_gamma, gp_weight=gp_weight, noise_std=noise_std)
    nodes, weights = hermite_nodes(noise_std)
    game = 0.0
    for n, w in zip(nodes.tolist(), weights.tolist()):
        real_logits, fake_logits = psi * n, psi * (theta + n)  # D(x) = psi * x on the data point and on G's point
        if loss == "standard":
            game = game + w * (torch.nn.functional.softplus(-real_logits) + torch.nn.functional.softplus(fake_logits))
        else:
            game = game + w * (fake_logits - real_logits)
    d_loss = torch.sum(game)
    g_loss = -torch.sum(game)
    if r1_gamma > 0 or gp_weight > 0:
        # the gradient of D(x) = psi * x with respect to its input x, taken by autograd at the data point x = 0
        x = torch.zeros_like(psi, requires_grad=True)
        (grad_x,) = torch.autograd.grad(torch.sum(psi * x), x, create_graph=True)
        d_loss = d_loss + 0.5 * r1_gamma * torch.sum(grad_x ** 2) + gp_weight * torch.sum((torch.abs(grad_x) - 1) ** 2)
    return d_loss, g_loss


def vector_field(theta, psi, loss="standard", r1_gamma=0.0, gp_weight=0.0, noise_std=0.0):
    """v(theta, psi) = (-dL_G/dtheta, -dL_D/dpsi) by autograd; matches course_lib.reference.dirac.vector_field.

    Args:
        theta, psi: floats or numpy arrays of the same shape.
        loss, r1_gamma, gp_weight, noise_std: as in `losses`.
    Returns:
        (v_theta, v_psi) as float64 numpy arrays.
    Used in: notebooks/02_gan_instability.ipynb
    """
    theta = torch.tensor(np.asarray(theta, np.float64), requires_grad=True)
    psi = torch.tensor(np.asarray(psi, np.float64), requires_grad=True)
    d_loss, g_loss = losses(theta, psi, loss, r1_gamma, gp_weight, noise_std)
    (d_theta,) = torch.autograd.grad(g_loss, theta, retain_graph=True)
    (d_psi,) = torch.autograd.grad(d_loss, psi)
    return -d_theta.numpy(), -d_psi.numpy()


def trajectory(theta0, psi0, h, steps, method="simultaneous", loss="standard", r1_gamma=0.0, gp_weight=0.0,
               noise_std=0.0, weight_clip=0.0):
    """Plain gradient steps of size h on L_G (theta) and L_D (psi) (SGD); matches reference.dirac.trajectory.

    Args:
        theta0, psi0: start; h: step size; steps: number of steps; method: "simultaneous" or "alternating";
        loss, r1_gamma, gp_weight, noise_std: as in `losses`; weight_clip: clip psi to [-c, c] after D steps.
    Returns:
        float64 numpy [steps + 1, 2], rows (theta_k, psi_k).
    Used in: notebooks/02_gan_instability.ipynb
    """
    check.check_dirac(loss, h, method, steps, r1_gamma=r1_gamma, gp_weight=gp_weight, noise_std=noise_std,
                      weight_clip=weight_clip)
    theta = torch.tensor(float(theta0), dtype=torch.float64, requires_grad=True)
    psi = torch.tensor(float(psi0), dtype=torch.float64, requires_grad=True)
    g_opt, d_opt = torch.optim.SGD([theta], lr=h), torch.optim.SGD([psi], lr=h)
    path = [(float(theta.detach()), float(psi.detach()))]
    for _ in range(steps):
        if method == "simultaneous":
            d_loss, g_loss = losses(theta, psi, loss, r1_gamma, gp_weight, noise_std)
            g_opt.zero_grad()
            d_opt.zero_grad()
            theta.grad, = torch.autograd.grad(g_loss, theta, retain_graph=True)
            psi.grad, = torch.autograd.grad(d_loss, psi)
            g_opt.step()
            d_opt.step()
        else:
            # 3. update G, then 2. update D at G's new position
            g_opt.zero_grad()
            losses(theta, psi, loss, r1_gamma, gp_weight, noise_std)[1].backward()
            g_opt.step()
            d_opt.zero_grad()
            losses(theta, psi, loss, r1_gamma, gp_weight, noise_std)[0].backward()
            d_opt.step()
        if weight_clip > 0:
            with torch.no_grad():
                psi.clamp_(-weight_clip, weight_clip)
        path.append((float(theta.detach()), float(psi.detach())))
    return np.array(path, dtype=np.float64)
