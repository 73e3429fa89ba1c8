"""Module: finding parameters by walking attributes, names, modes, gradients, repr, state dicts, hooks, containers."""
from __future__ import annotations

import numpy as np
import pytest

import dlkit
import dlkit.nn as nn


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.norm = nn.BatchNorm1d(4)
        self.scale = nn.Parameter(dlkit.ones(4))
        self.not_a_parameter = dlkit.zeros(2)  # plain tensors are not members

    def forward(self, x):
        return self.norm(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.block = Block()
        self.heads = [nn.Linear(4, 2), nn.Linear(4, 1)]  # plain lists are walked too
        self.extra = {"gate": nn.Parameter(dlkit.zeros(1))}
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        h = self.drop(self.block(x))
        return self.heads[0](h).sum() + self.heads[1](h).sum() + self.extra["gate"].sum()


def test_parameters_are_found_by_walking_attributes_with_torch_style_names() -> None:
    # Like torch: a module's own parameters first, then each submodule's, depth first.
    assert [n for n, _ in Net().named_parameters()] == [
        "extra.gate", "block.scale", "block.fc.weight", "block.fc.bias", "block.norm.weight", "block.norm.bias",
        "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias",
    ]
    net = Net()
    assert len(list(net.parameters())) == 10
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert [n for n, _ in net.named_children()] == ["block", "heads.0", "heads.1", "drop"]
    assert len(list(net.modules())) == 1 + 3 + 2 + 1
    assert [n for n, _ in net.named_buffers()] == [
        "block.norm.running_mean", "block.norm.running_var", "block.norm.num_batches_tracked"
    ]


def test_shared_parameters_and_modules_are_listed_once() -> None:
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(seq.parameters())) == 2 and len(list(seq.modules())) == 3


def test_train_and_eval_propagate() -> None:
    net = Net()
    assert net.eval() is net
    assert all(not m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="mode must be a bool"):
        net.train("no")


def test_zero_grad_and_backward_through_a_model() -> None:
    net = Net()
    net(dlkit.randn(5, 3)).backward()
    assert all(p.grad is not None for p in net.parameters())
    assert type(net.block.fc.weight.grad) is dlkit.Tensor  # gradients are plain tensors
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_call_runs_forward_and_hooks() -> None:
    layer = nn.Linear(2, 3)
    seen = []
    handle = layer.register_forward_hook(lambda m, inputs, out: seen.append(out.shape))
    layer(dlkit.randn(4, 2))
    handle.remove()
    layer(dlkit.randn(4, 2))
    assert seen == [(4, 3)]
    with pytest.raises(NotImplementedError, match="must define forward"):
        nn.Module()(1)


def test_a_subclass_that_forgets_super_init_still_works() -> None:
    class Lazy(nn.Module):
        def __init__(self) -> None:
            self.fc = nn.Linear(2, 2)

        def forward(self, x):
            return self.fc(x)

    m = Lazy()
    assert len(list(m.parameters())) == 2 and m.training
    m.eval()
    assert not m.fc.training


def test_repr_is_readable_like_torch() -> None:
    model = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.Flatten(), nn.Linear(10, 2, bias=False))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1))\n"
        "  (1): ReLU()\n"
        "  (2): Flatten(start_dim=1, end_dim=-1)\n"
        "  (3): Linear(in_features=10, out_features=2, bias=False)\n"
        ")"
    )
    assert "(block): Block(\n    (fc): Linear" in repr(Net())


def test_state_dict_round_trip_and_strict_errors() -> None:
    a, b = Net(), Net()
    state = a.state_dict()
    assert list(state)[:3] == ["extra.gate", "block.scale", "block.fc.weight"]
    assert "block.norm.running_var" in state and "block.not_a_parameter" not in state
    result = b.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy(), err_msg=name)
    b.block.fc.weight.data[0, 0] = 123.0  # loaded values are copies, not views of the checkpoint
    assert a.block.fc.weight.data[0, 0] != 123.0

    partial = {k: v for k, v in state.items() if k != "block.fc.bias"}
    partial["block.fc.bais"] = state["block.fc.bias"]
    with pytest.raises(RuntimeError, match=r"missing key\(s\) in state_dict: 'block.fc.bias'.*\n.*unexpected key\(s\) in state_dict: 'block.fc.bais'"):
        b.load_state_dict(partial)
    result = b.load_state_dict(partial, strict=False)
    assert result.missing_keys == ["block.fc.bias"] and result.unexpected_keys == ["block.fc.bais"]

    wrong = dict(state)
    wrong["block.fc.weight"] = dlkit.zeros(3, 4)
    before = b.block.fc.bias.detach().numpy().copy()
    with pytest.raises(RuntimeError, match=r"size mismatch for 'block.fc.weight': the checkpoint has shape \(3, 4\), the model has shape \(4, 3\)"):
        b.load_state_dict(wrong, strict=False)
    np.testing.assert_array_equal(b.block.fc.bias.detach().numpy(), before)  # nothing changed


def test_load_state_dict_accepts_numpy_arrays_and_keeps_the_model_dtype() -> None:
    layer = nn.Linear(2, 2)
    layer.load_state_dict({"weight": np.eye(2), "bias": np.zeros(2)})
    assert layer.weight.dtype_name == "float32" and isinstance(layer.weight, nn.Parameter)
    np.testing.assert_array_equal(layer.weight.detach().numpy(), np.eye(2))


def test_to_double_converts_parameters_and_buffers_in_place() -> None:
    net = Net()
    weight = net.block.fc.weight
    net.double()
    assert net.block.fc.weight is weight and weight.dtype_name == "float64"
    assert net.block.norm.running_mean.dtype_name == "float64"
    assert net.block.norm.num_batches_tracked.dtype_name == "int64"
    assert net(dlkit.randn(3, 3, dtype="float64")).dtype_name == "float64"


def test_requires_grad_and_apply() -> None:
    net = Net()
    net.block.requires_grad_(False)
    assert not net.block.fc.weight.requires_grad and net.heads[0].weight.requires_grad
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and "Linear" in seen


def test_sequential_and_module_list() -> None:
    seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    assert len(seq) == 3 and isinstance(seq[1], nn.ReLU) and isinstance(seq[-1], nn.Linear)
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head(dlkit.randn(5, 3)).shape == (5, 4)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    seq.append(nn.Sigmoid())
    assert seq(dlkit.randn(5, 3)).shape == (5, 2)
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    layers[0] = nn.Identity()
    assert len(list(layers.parameters())) == 4 and [type(m).__name__ for m in layers] == ["Identity", "Linear", "Linear"]
    with pytest.raises(IndexError, match="out of range for 3 module"):
        layers[5]
    with pytest.raises(TypeError, match="expected a Module"):
        layers.append(3)


def test_summary_lists_layers_shapes_and_parameter_counts() -> None:
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(36, 10), nn.Dropout(0.5))
    model.train()
    table = nn.summary(model, (2, 1, 8, 8))
    assert [(r.kind, r.output_shape, r.params) for r in table.rows] == [
        ("Conv2d", [2, 4, 6, 6], 40), ("ReLU", [2, 4, 6, 6], 0), ("MaxPool2d", [2, 4, 3, 3], 0),
        ("Flatten", [2, 36], 0), ("Linear", [2, 10], 370), ("Dropout", [2, 10], 0),
    ]
    assert table.total_params == table.trainable_params == 410
    text = str(model.summary((1, 1, 8, 8)))
    assert "Total params: 410" in text and "Linear" in text and "[1, 4, 6, 6]" in text
    assert model.training and all(m.training for m in model.modules())  # mode restored
