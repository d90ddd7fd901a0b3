"""The Dirac-GAN by autograd on the real GAN losses (twin of course_lib/torch/dirac.py;
oracle: course_lib/reference/dirac.py).

Data delta_0, generator delta_theta, discriminator logit D(x) = psi * x (Mescheder et al. 2018, arXiv 1801.04406).
Used in: notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

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
            game = game + w * (tf.nn.softplus(-real_logits) + tf.nn.softplus(fake_logits))
        else:
            game = game + w * (fake_logits - real_logits)
    d_loss = tf.reduce_sum(game)
    g_loss = -tf.reduce_sum(game)
    if r1_gamma > 0 or gp_weight > 0:
        # the gradient of D(x) = psi * x with respect to its input x, taken by autograd at the data point x = 0
        x = tf.zeros_like(psi)
        with tf.GradientTape() as tape:
            tape.watch(x)
            d_of_x = tf.reduce_sum(psi * x)
        grad_x = tape.gradient(d_of_x, x)
        d_loss = (d_loss + 0.5 * r1_gamma * tf.reduce_sum(grad_x ** 2)
                  + gp_weight * tf.reduce_sum((tf.abs(grad_x) - 1) ** 2))
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
    theta = tf.constant(np.asarray(theta, np.float64))
    psi = tf.constant(np.asarray(psi, np.float64))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([theta, psi])
        d_loss, g_loss = losses(theta, psi, loss, r1_gamma, gp_weight, noise_std)
    d_theta, d_psi = tape.gradient(g_loss, theta), tape.gradient(d_loss, psi)
    del tape
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
    theta = tf.Variable(float(theta0), dtype=tf.float64)
    psi = tf.Variable(float(psi0), dtype=tf.float64)
    path = [(float(theta.numpy()), float(psi.numpy()))]

    def grads():
        with tf.GradientTape(persistent=True) as tape:
            d_loss, g_loss = losses(theta, psi, loss, r1_gamma, gp_weight, noise_std)
        return tape.gradient(g_loss, theta), tape.gradient(d_loss, psi)

    # one graph per trajectory: eagerly, the quadrature's many small ops cost ~30 ms a step (600 steps: 18 s)
    @tf.function
    def step():
        if method == "simultaneous":
            g_theta, g_psi = grads()
            theta.assign_sub(h * g_theta)
            psi.assign_sub(h * g_psi)
        else:
            # 3. update G, then 2. update D at G's new position
            theta.assign_sub(h * grads()[0])
            psi.assign_sub(h * grads()[1])
        if weight_clip > 0:
            psi.assign(tf.clip_by_value(psi, -weight_clip, weight_clip))
        return tf.stack([theta, psi])

    for _ in range(steps):
        path.append(tuple(float(v) for v in step().numpy()))
    return np.array(path, dtype=np.float64)
