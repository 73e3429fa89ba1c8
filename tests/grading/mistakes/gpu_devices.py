"""Training on a device with one switch (lesson 09): fit_on(device, x, y, weight, bias, lr, steps)."""
import dlkit
import numpy as np
from dlkit import nn, optim

from ._catalogue import correct, wrong


def linear_classifier(weight, bias):
    layer = nn.Linear(weight.shape[1], weight.shape[0])
    layer.load_state_dict({"weight": weight, "bias": bias})
    return layer


def fit(model, x, y, lr, steps):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def _back(model):
    return model.weight.detach().cpu().numpy(), model.bias.detach().cpu().numpy()


@correct("gpu.fit_on")
def fit_on(device, x, y, weight, bias, lr, steps):
    model = linear_classifier(weight, bias).to(device)
    losses = fit(model, dlkit.tensor(x).to(device), dlkit.tensor(y).to(device), lr, steps)
    return (np.array(losses), *_back(model))


@correct("gpu.fit_on")
def fit_on_device_argument(device, x, y, weight, bias, lr, steps):
    """Tensors made on the device directly; results copied back with .numpy()."""
    model = linear_classifier(weight, bias)
    model.to(device)
    xb, yb = dlkit.tensor(x, device=device), dlkit.tensor(y, device=device)
    losses = fit(model, xb, yb, lr, steps)
    return np.asarray(losses), model.weight.detach().numpy(), model.bias.detach().numpy()


@wrong("gpu.fit_on", "data_not_moved")
def fit_on_data_left_behind(device, x, y, weight, bias, lr, steps):
    """The model moves, the batch stays on the CPU: dlkit names both devices."""
    model = linear_classifier(weight, bias).to(device)
    losses = fit(model, dlkit.tensor(x), dlkit.tensor(y).to(device), lr, steps)
    return (np.array(losses), *_back(model))


@wrong("gpu.fit_on", "model_not_moved")
def fit_on_model_left_behind(device, x, y, weight, bias, lr, steps):
    model = linear_classifier(weight, bias)
    losses = fit(model, dlkit.tensor(x).to(device), dlkit.tensor(y).to(device), lr, steps)
    return (np.array(losses), *_back(model))


@wrong("gpu.fit_on", "wrong_type")
def fit_on_device_arrays_returned(device, x, y, weight, bias, lr, steps):
    """Returns the parameters' own arrays (.data), still on the device, not numpy copies."""
    model = linear_classifier(weight, bias).to(device)
    losses = fit(model, dlkit.tensor(x).to(device), dlkit.tensor(y).to(device), lr, steps)
    return np.array(losses), model.weight.data, model.bias.data


@wrong("gpu.fit_on", "initial_parameters")
def fit_on_returns_inputs(device, x, y, weight, bias, lr, steps):
    model = linear_classifier(weight, bias).to(device)
    losses = fit(model, dlkit.tensor(x).to(device), dlkit.tensor(y).to(device), lr, steps)
    return np.array(losses), weight, bias


@wrong("gpu.fit_on", "one_step")
def fit_on_one_step(device, x, y, weight, bias, lr, steps):
    model = linear_classifier(weight, bias).to(device)
    losses = fit(model, dlkit.tensor(x).to(device), dlkit.tensor(y).to(device), lr, 1)
    return (np.array(losses), *_back(model))


@wrong("gpu.fit_on", "lr_ignored")
def fit_on_fixed_lr(device, x, y, weight, bias, lr, steps):
    model = linear_classifier(weight, bias).to(device)
    losses = fit(model, dlkit.tensor(x).to(device), dlkit.tensor(y).to(device), 0.1, steps)
    return (np.array(losses), *_back(model))


@wrong("gpu.fit_on", "last_loss_only")
def fit_on_last_loss(device, x, y, weight, bias, lr, steps):
    model = linear_classifier(weight, bias).to(device)
    losses = fit(model, dlkit.tensor(x).to(device), dlkit.tensor(y).to(device), lr, steps)
    return (np.array(losses[-1]), *_back(model))


@wrong("gpu.fit_on", "trained_twice")
def fit_on_twice(device, x, y, weight, bias, lr, steps):
    """fit called once to get the losses and again to 'get the model'."""
    model = linear_classifier(weight, bias).to(device)
    xb, yb = dlkit.tensor(x).to(device), dlkit.tensor(y).to(device)
    losses = fit(model, xb, yb, lr, steps)
    fit(model, xb, yb, lr, steps)
    return (np.array(losses), *_back(model))


@wrong("gpu.fit_on", "labels_not_moved")
def fit_on_labels_left_behind(device, x, y, weight, bias, lr, steps):
    """x moved, y forgotten: the loss meets scores on the device and labels on the CPU."""
    model = linear_classifier(weight, bias).to(device)
    losses = fit(model, dlkit.tensor(x).to(device), dlkit.tensor(y), lr, steps)
    return (np.array(losses), *_back(model))


@wrong("gpu.fit_on", "weight_not_trained")
def fit_on_given_weight(device, x, y, weight, bias, lr, steps):
    model = linear_classifier(weight, bias).to(device)
    losses = fit(model, dlkit.tensor(x).to(device), dlkit.tensor(y).to(device), lr, steps)
    return np.array(losses), weight, model.bias.detach().cpu().numpy()


@wrong("gpu.fit_on", "bias_not_trained")
def fit_on_given_bias(device, x, y, weight, bias, lr, steps):
    model = linear_classifier(weight, bias).to(device)
    losses = fit(model, dlkit.tensor(x).to(device), dlkit.tensor(y).to(device), lr, steps)
    return np.array(losses), model.weight.detach().cpu().numpy(), bias


@wrong("gpu.fit_on", "mean_loss")
def fit_on_average_loss(device, x, y, weight, bias, lr, steps):
    model = linear_classifier(weight, bias).to(device)
    losses = fit(model, dlkit.tensor(x).to(device), dlkit.tensor(y).to(device), lr, steps)
    return (np.array(sum(losses) / len(losses)), *_back(model))

