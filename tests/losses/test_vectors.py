"""Spec vectors of the losses (measures.md §3, §4, §6, §7, §8) and their links to the bounds."""

import math

import pytest
import torch

from infolens.estimators.neural.bounds import infonce
from infolens.losses import (
    CLUB,
    AlignmentUniformityLoss,
    AttentionEntropyRegularizer,
    CMIDistillationLoss,
    CSIBLoss,
    InfoNCELoss,
    MCR2Loss,
    NTXentLoss,
    VIBLoss,
    club_upper_bound,
    conditional_mi_term,
    cs_divergence_conditional,
    cs_qmi,
    cs_qmi_normalized,
    gaussian_kl,
    hsic_regular,
    normalized_hsic,
)

F64 = torch.float64
X3 = torch.tensor([[0, 0], [1, 0], [0, 1], [1, 1], [2, 0], [0, 2]], dtype=F64)
Y3 = torch.tensor([[0], [1], [1], [2], [2], [2]], dtype=F64)
LN2 = math.log(2)


def test_cs_vectors_bits() -> None:
    # the CSIB repo works in log2; these functions return nats
    assert float(cs_qmi(X3, Y3)) / LN2 == pytest.approx(0.15692507024013946, rel=1e-10)
    assert float(cs_qmi_normalized(X3, Y3)) == pytest.approx(0.5550816766590292, rel=1e-10)
    code = cs_divergence_conditional(X3, Y3, Y3 + 0.5, denominator="code")
    paper = cs_divergence_conditional(X3, Y3, Y3 + 0.5, denominator="paper")
    assert float(code) / LN2 == pytest.approx(0.24649866240629326, rel=1e-10)
    assert float(paper) / LN2 == pytest.approx(0.2856611348091225, rel=1e-10)
    assert float(cs_divergence_conditional(X3, Y3, Y3)) == 0.0
    loss = CSIBLoss(beta=0.5)(X3, Y3, Y3, Y3 + 0.5)
    assert float(loss) == pytest.approx(float(paper) + 0.5 * 0.5550816766590292, rel=1e-10)


def test_hsic_vectors() -> None:
    assert float(hsic_regular(X3, Y3, sigma=1.0)) == pytest.approx(0.02569592707192051, rel=1e-10)
    assert float(hsic_regular(X3, Y3, sigma=5.0)) == pytest.approx(
        0.00011763590376672367, rel=1e-10
    )
    # float64 values (Corrections 6); rtol 1e-6 as the spec asks (ill-conditioned solve)
    assert float(normalized_hsic(X3, Y3, sigma=1.0)) == pytest.approx(1.9982727175794361, rel=1e-6)
    assert float(normalized_hsic(X3, Y3, sigma=5.0)) == pytest.approx(1.5517896154758353, rel=1e-6)


def test_mcr2_loss_vectors() -> None:
    z = torch.tensor([[1, 0, 0], [0.8, 0.6, 0], [0, 0, 1], [0, 0.6, 0.8]], dtype=F64)
    loss = MCR2Loss(eps_squared=0.5)(z, torch.tensor([0, 0, 1, 1]))
    assert float(loss) == pytest.approx(-0.3665218735, abs=1e-10)
    orth = MCR2Loss(eps=math.sqrt(0.5))(torch.eye(2, dtype=F64), torch.tensor([0, 1]))
    assert float(orth) == pytest.approx(-0.29389333245105964, rel=1e-10)


def test_infonce_loss_is_log_n_minus_bound() -> None:
    scores = torch.tensor([[2.0, 0, 0, -1], [0, 2, 1, 0], [0, -1, 2, 0], [1, 0, 0, 2]], dtype=F64)
    # an exact factorisation scores = x yᵀ with unnormalised features and τ = 1
    x = torch.linalg.cholesky(scores @ scores.T + 4 * torch.eye(4, dtype=F64))
    y = torch.linalg.solve(x, scores).T
    loss = InfoNCELoss(temperature=1.0, normalize=False)(x, y)
    assert float(loss) == pytest.approx(math.log(4) - 1.0003993217959921, rel=1e-10)
    assert float(loss) == pytest.approx(math.log(4) - float(infonce(scores)), rel=1e-12)
    # temperature scales the scores
    half = InfoNCELoss(temperature=0.5, normalize=False)(x, y)
    assert float(half) == pytest.approx(math.log(4) - float(infonce(2 * scores)), rel=1e-12)


def test_infonce_memory_bank_and_symmetric() -> None:
    gen = torch.Generator().manual_seed(0)
    x, y = torch.randn(3, 4, generator=gen, dtype=F64), torch.randn(3, 4, generator=gen, dtype=F64)
    bank = torch.randn(5, 4, generator=gen, dtype=F64)
    loss = InfoNCELoss(temperature=1.0, normalize=False)(x, y, bank)
    logits = torch.cat([x @ y.T, x @ bank.T], dim=1)
    expected = torch.nn.functional.cross_entropy(logits, torch.arange(3))
    assert float(loss) == pytest.approx(float(expected), rel=1e-12)
    sym = InfoNCELoss(temperature=1.0, normalize=False, symmetric=True)(x, y)
    forward = InfoNCELoss(temperature=1.0, normalize=False)(x, y)
    backward = InfoNCELoss(temperature=1.0, normalize=False)(y, x)
    assert float(sym) == pytest.approx(0.5 * float(forward + backward), rel=1e-12)


def test_ntxent_matches_explicit_formula() -> None:
    gen = torch.Generator().manual_seed(1)
    x, y = torch.randn(3, 2, generator=gen, dtype=F64), torch.randn(3, 2, generator=gen, dtype=F64)
    z = torch.nn.functional.normalize(torch.cat([x, y]), dim=1)
    sim = z @ z.T / 0.5
    total = 0.0
    for i in range(6):
        positive = (i + 3) % 6
        others = [math.exp(float(sim[i, j])) for j in range(6) if j != i]
        total += -float(sim[i, positive]) + math.log(sum(others))
    assert float(NTXentLoss(temperature=0.5)(x, y)) == pytest.approx(total / 6, rel=1e-12)


def test_alignment_uniformity_loss_vector() -> None:
    x = torch.tensor([[1.0, 0], [0, 1], [-1, 0]], dtype=F64)
    y = torch.tensor([[0.6, 0.8], [0, 1], [-0.8, 0.6]], dtype=F64)
    loss = AlignmentUniformityLoss(uniformity_weight=2.0)(x, x)
    assert float(loss) == pytest.approx(2 * -4.396348967229015, rel=1e-12)
    assert float(AlignmentUniformityLoss(uniformity_weight=0.0)(x, y)) == pytest.approx(
        0.4, rel=1e-12
    )


def test_vib_kl_vector_and_loss() -> None:
    mean = torch.tensor([[0.5, -1.0]], dtype=F64)
    std = torch.tensor([[1.0, 0.5]], dtype=F64)
    assert float(gaussian_kl(mean, std)) == pytest.approx(0.9431471805599453, rel=1e-12)
    assert float(gaussian_kl(mean, std)) / LN2 == pytest.approx(1.360673760222241, rel=1e-12)
    reference = torch.distributions.kl_divergence(
        torch.distributions.Normal(mean, std), torch.distributions.Normal(0.0, 1.0)
    ).sum()
    assert float(gaussian_kl(mean, std)) == pytest.approx(float(reference), rel=1e-12)
    logits = torch.tensor([[1.0, 0.0]], dtype=F64)
    loss = VIBLoss(beta=0.1)(logits, torch.tensor([0]), mean, std)
    ce = math.log(1 + math.exp(-1.0))
    assert float(loss) == pytest.approx(ce + 0.1 * 0.9431471805599453, rel=1e-12)


def test_club_vectors() -> None:
    mean = torch.tensor([[0.0, 0], [1, 0], [0, 1]], dtype=F64)
    log_variance = torch.tensor([[0.0, 0], [0, 0.5], [-0.5, 0]], dtype=F64)
    y = torch.tensor([[0, 0.5], [1, 0], [0, 2]], dtype=F64)
    assert float(club_upper_bound(mean, log_variance, y)) == pytest.approx(
        0.5542486985821568, rel=1e-12
    )
    assert float(club_upper_bound(mean, torch.zeros_like(mean), y)) == pytest.approx(
        0.6111111111111112, rel=1e-12
    )
    # the module with a mean-only network that outputs `mean` exactly
    club = CLUB(dim_x=3, dim_y=2, mean_only=True).double()
    linear = torch.nn.Linear(3, 2, bias=False).double()
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[0.0, 1, 0], [0, 0, 1]]))
    club.mean_net = torch.nn.Sequential(linear)
    assert float(club(torch.eye(3, dtype=F64), y).detach()) == pytest.approx(
        0.6111111111111112, rel=1e-12
    )
    # learning loss: −mean_i log N(y_i; mean_i, 1); the reference's loglikeli −0.41667 is
    # Σ_d[−(μ−y)² − 0] / n averaged, i.e. −2 (loss − log 2π) here
    learning = float(club.learning_loss(torch.eye(3, dtype=F64), y).detach())
    assert -2 * (learning - math.log(2 * math.pi)) == pytest.approx(-0.4166666666666667, rel=1e-12)


def test_attention_regularizer_vector() -> None:
    causal = torch.tensor([[1, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]], dtype=F64)
    maps = torch.stack([causal, torch.eye(3, dtype=F64)])[None]
    reg = AttentionEntropyRegularizer(n_layers=1, n_heads=2, coeff=1.0).double()
    value = float(reg([maps]).detach())
    assert value == pytest.approx(0.7543431010571702, abs=1e-12)
    assert value == pytest.approx(5 * (0.5 * math.log(3)) ** 2 / 2, abs=1e-7)  # by hand, no ε


def test_cmi_distillation_vector_and_sign() -> None:
    logits = torch.tensor(
        [[2.0, 0, 0], [1, 1, 0], [0, 2, 0], [0, 0, 1], [0, 1, 1], [1, 0, 2]], dtype=F64
    )
    labels = torch.tensor([0, 0, 1, 1, 2, 2])
    cmi = float(conditional_mi_term(logits, labels))
    assert cmi == pytest.approx(0.11453846277294526, rel=1e-10)
    loss = CMIDistillationLoss(cmi_weight=2.0)(logits, labels)
    ce = torch.nn.functional.cross_entropy(logits, labels)
    assert float(loss) == pytest.approx(float(ce) - 2 * cmi, rel=1e-12)


def test_club_equals_the_bounds_score_matrix_form() -> None:
    from infolens.estimators.neural.bounds import club, gaussian_log_likelihood_matrix

    gen = torch.Generator().manual_seed(5)
    mean, log_variance, y = (torch.randn(7, 3, generator=gen, dtype=F64) for _ in range(3))
    reference = club(gaussian_log_likelihood_matrix(mean, log_variance, y))
    assert float(club_upper_bound(mean, log_variance, y)) == pytest.approx(
        float(reference), rel=1e-12
    )
