"""Implementations that call the reference (dlkit, torch, the grader's own helpers)."""
import numpy as np

from ._catalogue import wrong

try:  # the notebook imported torch at the top, as learners do
    import torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover - torch is an optional extra
    torch = TF = None


@wrong("linreg.predict", "reference_called")
def predict_dlkit(X, w, b):
    import dlkit
    return (dlkit.tensor(X) @ dlkit.tensor(w) + b).numpy()


@wrong("linreg.mse", "reference_called")
def mse_torch(y_pred, y):
    return TF.mse_loss(torch.tensor(y_pred), torch.tensor(y)).item()


@wrong("linreg.mse_gradients", "reference_called")
def mse_gradients_numerical(X, y, w, b):
    """Differentiates numerically with the learner tools."""
    from dlgrade import numerical_gradient
    loss = lambda w_: np.mean((X @ w_ + b - y) ** 2)  # noqa: E731
    dw = numerical_gradient(loss, w.copy())
    return dw, 2 * np.mean(X @ w + b - y)


@wrong("linreg.normal_equations", "reference_called")
def normal_equations_grader(X, y):
    from dlgrade import get_exercise
    return get_exercise("linreg.normal_equations").reference(X, y)


@wrong("activations.relu_forward", "reference_called")
def relu_dlkit_functional(x):
    import dlkit
    import dlkit.functional as F
    return F.relu(dlkit.tensor(x)).numpy()


@wrong("activations.relu_backward", "reference_called")
def relu_backward_autograd(dout, x):
    import dlkit
    t = dlkit.tensor(x, requires_grad=True)
    t.relu().backward(dlkit.tensor(dout))
    return t.grad.numpy()


@wrong("losses.softmax", "reference_called")
def softmax_torch_inside(x):
    import torch as th  # imported inside the function
    return th.softmax(th.tensor(x), dim=1).numpy()


@wrong("losses.cross_entropy", "reference_called")
def cross_entropy_torch_swallowed(logits, y):
    """Tries torch, falls back to a wrong formula when it fails."""
    try:
        return TF.cross_entropy(torch.tensor(logits), torch.tensor(y)).item()
    except Exception:
        return 0.0


@wrong("layers.linear_backward", "reference_called")
def linear_backward_torch(dout, x, W, b):
    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(W, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    (xt @ Wt + bt).backward(torch.tensor(dout))
    return xt.grad.numpy(), Wt.grad.numpy(), bt.grad.numpy()


@wrong("cnn.conv2d_forward", "reference_called")
def conv2d_torch(x, weight, b, stride, padding):
    return TF.conv2d(torch.tensor(x), torch.tensor(weight), torch.tensor(b), stride=stride, padding=padding).numpy()


@wrong("regularization.batchnorm_backward", "reference_called")
def batchnorm_backward_grader_helper(dout, x, gamma, eps):
    from dlgrade.lessons.l07_making_it_work import batchnorm as R
    return R.batchnorm_backward(dout, x, gamma, eps)


@wrong("optim.adam", "reference_called")
def adam_torch_optimizer(w, dw, m, v, t, lr, beta1, beta2, eps):
    p = torch.tensor(w.copy(), requires_grad=True)
    opt = torch.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    p.grad = torch.tensor(dw)
    opt.step()
    return p.detach().numpy(), m, v
