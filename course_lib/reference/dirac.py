"""The Dirac-GAN (Mescheder, Geiger, Nowozin 2018, arXiv 1801.04406, section 2): numpy oracle of its dynamics.

Data p_D = delta_0, generator p_theta = delta_theta, discriminator logit D_psi(x) = psi * x. With the usual GAN
losses (D high on real data) the discriminator and generator losses are

    standard: L_D(theta, psi) = softplus(-D(0)) + softplus(D(theta)) = log 2 + softplus(psi theta),  L_G = -L_D
    wgan:     L_D(theta, psi) = D(theta) - D(0) = psi theta,                                      L_G = -L_D

and gradient descent on both follows the vector field v = (-dL_G/dtheta, -dL_D/dpsi) = (a(psi theta) psi,
-a(psi theta) theta) with a = sigmoid (a(0) = f'(0) = 1/2) or a = 1 for the WGAN. Regularisers add to L_D:
R1 gamma/2 psi^2 (the gradient of D at the data is psi), WGAN-GP lambda (|psi| - 1)^2, instance noise replaces
0 and theta by 0 + eps and theta + eps, eps ~ N(0, sigma^2) (expectation by Gauss-Hermite quadrature), and
weight clipping projects psi onto [-c, c] after each D step. The paper writes D with the opposite sign; the
eigenvalues are the same.

At the equilibrium (0, 0) the Jacobian of v is J = [[0, a], [-a, -g]] with a = f'(0) and g = gamma + sigma^2 / 2
(standard loss; for the WGAN f'' = 0 so noise adds nothing). Used in: notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib import validation as check

__all__ = [
    "LOSSES", "METHODS", "alternating_step", "d_loss", "fit_linear_map", "g_loss", "hermite_nodes", "jacobian",
    "jacobian_eigenvalues", "measured_eigenvalues", "simultaneous_step", "trajectory", "update_eigenvalues",
    "update_matrix", "vector_field",
]

LOSSES = ("standard", "wgan")
METHODS = ("simultaneous", "alternating")


def _check(loss, h=None, method=None):
    check.check_dirac(loss, h, method)


def hermite_nodes(noise_std, points=16):
    """Nodes and weights for E f(eps), eps ~ N(0, noise_std^2) = sum_i w_i f(n_i) (Gauss-Hermite, exact for
    polynomials of degree < 2 points). noise_std = 0 gives one node at 0 with weight 1.

    Returns:
        (nodes float64 [P], weights float64 [P]) with weights summing to 1.
    """
    if noise_std <= 0:
        return np.zeros(1), np.ones(1)
    nodes, weights = np.polynomial.hermite_e.hermegauss(points)
    return noise_std * nodes, weights / weights.sum()


def _softplus(x):
    return np.logaddexp(0.0, x)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # stable for any x


def d_loss(theta, psi, loss="standard", r1_gamma=0.0, gp_weight=0.0, noise_std=0.0):
    """The discriminator's loss L_D(theta, psi) with its regularisers (see the module docstring); elementwise."""
    _check(loss)
    theta, psi = np.asarray(theta, np.float64), np.asarray(psi, np.float64)
    nodes, weights = hermite_nodes(noise_std)
    value = 0.0
    for n, w in zip(nodes, weights):
        real, fake = psi * n, psi * (theta + n)  # D logits on the (noisy) data point 0 and generator point theta
        if loss == "standard":
            value = value + w * (_softplus(-real) + _softplus(fake))
        else:
            value = value + w * (fake - real)
    return value + 0.5 * r1_gamma * psi ** 2 + gp_weight * (np.abs(psi) - 1.0) ** 2


def g_loss(theta, psi, loss="standard", noise_std=0.0):
    """The generator's loss L_G = -L_D without regularisers (the zero-sum game of the paper); elementwise."""
    return -d_loss(theta, psi, loss, noise_std=noise_std)


def vector_field(theta, psi, loss="standard", r1_gamma=0.0, gp_weight=0.0, noise_std=0.0):
    """v(theta, psi) = (-dL_G/dtheta, -dL_D/dpsi), the direction gradient descent moves both players.

    Args:
        theta, psi: floats or arrays of the same shape.
        loss: "standard" or "wgan"; r1_gamma, gp_weight, noise_std: regularisers (0 = off).
    Returns:
        (v_theta, v_psi), float64 arrays of the broadcast shape.
    """
    _check(loss)
    theta, psi = np.broadcast_arrays(np.asarray(theta, np.float64), np.asarray(psi, np.float64))
    nodes, weights = hermite_nodes(noise_std)
    v_theta, v_psi = np.zeros(theta.shape), np.zeros(theta.shape)
    for n, w in zip(nodes, weights):
        if loss == "standard":
            s_fake, s_real = _sigmoid(psi * (theta + n)), _sigmoid(-psi * n)
            v_theta += w * psi * s_fake                       # -dL_G/dtheta = d softplus(psi(theta+n))/dtheta
            v_psi -= w * ((theta + n) * s_fake - n * s_real)  # -dL_D/dpsi
        else:
            v_theta += w * psi
            v_psi -= w * theta
    v_psi = v_psi - r1_gamma * psi - 2.0 * gp_weight * (np.abs(psi) - 1.0) * np.sign(psi)
    return v_theta, v_psi


def simultaneous_step(theta, psi, h, loss="standard", r1_gamma=0.0, gp_weight=0.0, noise_std=0.0, weight_clip=0.0):
    """(theta, psi) + h v(theta, psi): both players step from the same point."""
    _check(loss, h)
    v_theta, v_psi = vector_field(theta, psi, loss, r1_gamma, gp_weight, noise_std)
    psi_new = psi + h * v_psi
    if weight_clip > 0:
        psi_new = np.clip(psi_new, -weight_clip, weight_clip)
    return theta + h * v_theta, psi_new


def alternating_step(theta, psi, h, loss="standard", r1_gamma=0.0, gp_weight=0.0, noise_std=0.0, weight_clip=0.0):
    """The generator steps first, then the discriminator steps from the generator's new position."""
    _check(loss, h)
    theta_new = theta + h * vector_field(theta, psi, loss, r1_gamma, gp_weight, noise_std)[0]
    psi_new = psi + h * vector_field(theta_new, psi, loss, r1_gamma, gp_weight, noise_std)[1]
    if weight_clip > 0:
        psi_new = np.clip(psi_new, -weight_clip, weight_clip)
    return theta_new, psi_new


def trajectory(theta0, psi0, h, steps, method="simultaneous", loss="standard", r1_gamma=0.0, gp_weight=0.0,
               noise_std=0.0, weight_clip=0.0):
    """The iterates of `steps` gradient steps from (theta0, psi0).

    Args:
        theta0, psi0: start; h: step size; steps: number of steps; method: "simultaneous" or "alternating".
        loss, r1_gamma, gp_weight, noise_std, weight_clip: the game and its regularisers.
    Returns:
        float64 [steps + 1, 2], rows (theta_k, psi_k).
    Used in: notebooks/02_gan_instability.ipynb
    """
    check.check_dirac(loss, h, method, steps, r1_gamma=r1_gamma, gp_weight=gp_weight, noise_std=noise_std,
                      weight_clip=weight_clip)
    step = simultaneous_step if method == "simultaneous" else alternating_step
    path = np.empty((steps + 1, 2))
    theta, psi = float(theta0), float(psi0)
    path[0] = theta, psi
    for k in range(steps):
        theta, psi = step(theta, psi, h, loss, r1_gamma, gp_weight, noise_std, weight_clip)
        path[k + 1] = float(theta), float(psi)
    return path


def _a_g(loss, r1_gamma, noise_std):
    a = 0.5 if loss == "standard" else 1.0                        # f'(0)
    g = r1_gamma + (0.5 * noise_std ** 2 if loss == "standard" else 0.0)  # 2 sigma^2 |f''(0)|, f''(0) = -1/4
    return a, g


def jacobian(loss="standard", r1_gamma=0.0, noise_std=0.0):
    """Jacobian of v at the equilibrium (0, 0): [[0, a], [-a, -g]], a = f'(0), g = gamma + sigma^2/2 (standard)."""
    _check(loss)
    a, g = _a_g(loss, r1_gamma, noise_std)
    return np.array([[0.0, a], [-a, -g]])


def jacobian_eigenvalues(loss="standard", r1_gamma=0.0, noise_std=0.0):
    """Closed form: lambda = (-g +- sqrt(g^2 - 4 a^2)) / 2; purely imaginary +-i a without regularisation.

    Returns:
        complex128 [2], the + root first.
    """
    a, g = _a_g(loss, r1_gamma, noise_std)
    root = np.sqrt(complex(g * g - 4 * a * a))
    return np.array([(-g + root) / 2, (-g - root) / 2])


def update_matrix(h, method="simultaneous", loss="standard", r1_gamma=0.0, noise_std=0.0):
    """The linearised update x_{k+1} = M x_k at the equilibrium.

    simultaneous: M = I + h J;  alternating: M = [[1, h a], [-h a, 1 - h^2 a^2 - h g]] (G first, then D).
    """
    _check(loss, h, method)
    a, g = _a_g(loss, r1_gamma, noise_std)
    if method == "simultaneous":
        return np.eye(2) + h * jacobian(loss, r1_gamma, noise_std)
    return np.array([[1.0, h * a], [-h * a, 1.0 - h * h * a * a - h * g]])


def update_eigenvalues(h, method="simultaneous", loss="standard", r1_gamma=0.0, noise_std=0.0):
    """Closed-form eigenvalues of the update map at the equilibrium.

    simultaneous: 1 + h lambda_J (unregularised: 1 +- i h a, |lambda| = sqrt(1 + h^2 a^2) = sqrt(1 + h^2/4) > 1);
    alternating: tr/2 +- sqrt(tr^2/4 - det), tr = 2 - h^2 a^2 - h g, det = 1 - h g (unregularised: |lambda| = 1
    while h a < 2). The iterates converge locally iff both |lambda| < 1.

    Returns:
        complex128 [2].
    Used in: notebooks/02_gan_instability.ipynb
    """
    _check(loss, h, method)
    a, g = _a_g(loss, r1_gamma, noise_std)
    if method == "simultaneous":
        return 1.0 + h * jacobian_eigenvalues(loss, r1_gamma, noise_std)
    tr, det = 2.0 - h * h * a * a - h * g, 1.0 - h * g
    root = np.sqrt(complex(tr * tr / 4 - det))
    return np.array([tr / 2 + root, tr / 2 - root])


def fit_linear_map(path):
    """Least-squares M with x_{k+1} ~ M x_k over a trajectory [K, 2]: the dynamics as measured."""
    path = np.asarray(path, np.float64)
    if path.ndim != 2 or path.shape[1] != 2 or len(path) < 3:
        raise ValueError(f"expected a trajectory of shape [K >= 3, 2]; got {path.shape}.")
    solution, *_ = np.linalg.lstsq(path[:-1], path[1:], rcond=None)
    return solution.T


def measured_eigenvalues(path):
    """Eigenvalues of the linear map fitted to a trajectory near the equilibrium (compare with update_eigenvalues).

    Returns:
        complex128 [2], sorted by decreasing imaginary part, then decreasing real part.
    Used in: notebooks/02_gan_instability.ipynb
    """
    values = np.linalg.eigvals(fit_linear_map(path)).astype(np.complex128)
    return values[np.lexsort((-values.real, -values.imag))]
