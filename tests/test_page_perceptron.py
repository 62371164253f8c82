"""The 3.1 page in AppTest: the layers and their numbers, the gates as truth tables, XOR, h(), the link."""

from __future__ import annotations

import pytest
from apptest_page import metric, open_page
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("mnist_dir_or_offline")  # the sidebar loads MNIST on every page

TRUTH_TABLES = {"AND": [0, 0, 0, 1], "NAND": [1, 1, 1, 0], "OR": [0, 1, 1, 1]}


def truth_table(at: AppTest):
    """The page's table of the four inputs: x₁, x₂, a, y, the gate's answer, ✅ or ❌."""
    return at.table[0].value


def outputs(at: AppTest) -> list[str]:
    """The y column as the page prints it."""
    return list(truth_table(at)["y = h(a)"])


def press(at: AppTest, gate: str) -> AppTest:
    """Click a gate's button and rerun."""
    at.button(key=f"perceptron_preset_{gate.lower()}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    """Every markdown, info, success and warning on the page, as one line of text."""
    elements = (*at.markdown, *at.info, *at.success, *at.warning)
    return " ".join(" ".join(element.value.split()) for element in elements)


def test_it_opens_as_an_and_gate_with_b_minus_one_and_a_half():
    at = open_page("perceptron")
    assert [at.slider(key=f"perceptron_{name}").value for name in ("b", "w1", "w2")] == [-1.5, 1.0, 1.0]
    assert outputs(at) == ["0", "0", "0", "1"]
    assert list(truth_table(at)["a = b + w₁x₁ + w₂x₂"]) == ["-1.50", "-0.50", "-0.50", "0.50"]
    assert metric(at, "Inputs where y is AND") == "4 / 4"
    assert at.query_params["perceptron_b"] == "-1.5"
    assert at.query_params["perceptron_gate"] == "and"


@pytest.mark.parametrize("gate", ["NAND", "OR", "AND"])
def test_each_gate_button_gives_its_truth_table(gate):
    at = open_page("perceptron")
    press(at, "XOR")
    press(at, gate)
    table = truth_table(at)
    assert outputs(at) == [str(y) for y in TRUTH_TABLES[gate]]
    assert list(table[gate]) == TRUTH_TABLES[gate]
    assert list(table[""]) == ["✅"] * 4
    assert metric(at, f"Inputs where y is {gate}") == "4 / 4"
    assert any(f"the {gate} gate" in s.value for s in at.success)
    assert at.query_params["perceptron_gate"] == gate.lower()


def test_xor_is_the_case_no_line_solves_and_a_second_layer_does():
    at = press(open_page("perceptron"), "XOR")
    assert metric(at, "Inputs where y is XOR") == "3 / 4"
    assert list(truth_table(at)[""]).count("❌") == 1
    [warning] = at.warning
    assert "No single line makes XOR" in warning.value
    assert "at most three of the four" in warning.value
    assert not at.success
    two_layers = at.table[1].value
    assert list(two_layers["y = AND(s₁, s₂)"]) == [0, 1, 1, 0]
    assert "a second layer" in texts(at)


def test_moving_a_slider_changes_the_outputs_and_the_link():
    at = open_page("perceptron")
    at.slider(key="perceptron_b").set_value(-0.5).run()
    assert outputs(at) == ["0", "1", "1", "1"]  # OR's line, while the target is still AND
    assert metric(at, "Inputs where y is AND") == "2 / 4"
    assert any("Not AND yet" in i.value for i in at.info)
    assert at.query_params["perceptron_b"] == "-0.5"


def test_without_weights_there_is_no_line_and_one_output_for_all():
    at = open_page("perceptron")
    at.slider(key="perceptron_w1").set_value(0.0).run()
    at.slider(key="perceptron_w2").set_value(0.0).run()
    assert outputs(at) == ["0"] * 4
    assert any("there is no line: every input gets the same output, h(b) = 0" in c.value for c in at.caption)
    assert metric(at, "Inputs where y is AND") == "3 / 4"


def test_sigmoid_makes_the_output_smooth():
    at = open_page("perceptron")
    at.radio(key="perceptron_h").set_value("sigmoid").run()
    assert outputs(at) == ["0.1824", "0.3775", "0.3775", "0.6225"]
    assert metric(at, "Inputs where y is AND") == "4 / 4"  # y > 0.5 on the same side of the line
    assert "no longer just 0 or 1" in texts(at)
    assert at.query_params["perceptron_h"] == "sigmoid"


def test_the_neuron_is_drawn_with_its_bias_node_and_values():
    at = open_page("perceptron")
    dots = [chart.proto.spec for chart in at.get("graphviz_chart")]
    assert len(dots) == 2
    neuron = dots[1]
    for label in ("b\\n-1.5", "w₁\\n1", "w₂\\n1", "a\\n0.50", "y\\n1", 'label="1"'):
        assert label in neuron
    at.radio(key="perceptron_input").set_value(0).run()
    neuron = at.get("graphviz_chart")[1].proto.spec
    assert "a\\n-1.50" in neuron
    assert "y\\n0" in neuron


def test_a_shared_link_restores_gate_weights_and_h():
    query = {
        "perceptron_gate": "or",
        "perceptron_b": "-0.2",
        "perceptron_w1": "0.5",
        "perceptron_w2": "0.5",
        "perceptron_h": "sigmoid",
        "perceptron_hidden": "2",
    }
    at = open_page("perceptron", query)
    assert [at.slider(key=f"perceptron_{name}").value for name in ("b", "w1", "w2")] == [-0.2, 0.5, 0.5]
    assert at.slider(key="perceptron_hidden").value == 2
    assert metric(at, "Inputs where y is OR") == "4 / 4"
    assert outputs(at)[0] == "0.4502"  # sigmoid(-0.2)
    assert not at.toast


def test_a_gate_in_the_link_alone_brings_its_weights():
    at = open_page("perceptron", {"perceptron_gate": "nand"})
    assert [at.slider(key=f"perceptron_{name}").value for name in ("b", "w1", "w2")] == [1.5, -1.0, -1.0]
    assert outputs(at) == ["1", "1", "1", "0"]


def test_bad_link_values_are_ignored_with_a_note():
    query = {
        "perceptron_gate": "nor",
        "perceptron_b": "abc",
        "perceptron_w1": "9",
        "perceptron_w2": "nan",
        "perceptron_h": "relu",
        "perceptron_hidden": "7",
    }
    at = open_page("perceptron", query)
    assert [at.slider(key=f"perceptron_{name}").value for name in ("b", "w1", "w2")] == [-1.5, 1.0, 1.0]
    assert at.radio(key="perceptron_h").value == "step"
    assert at.slider(key="perceptron_hidden").value == 1
    assert len(at.toast) == 6
    assert at.query_params["perceptron_w1"] == "1"


@pytest.mark.parametrize(
    ("hidden", "name"), [(1, "2-layer network"), (2, "3-layer network"), (3, "4-layer network")]
)
def test_the_network_is_named_by_its_layers_of_weights(hidden, name):
    at = open_page("perceptron")
    at.slider(key="perceptron_hidden").set_value(hidden).run()
    page = texts(at)
    assert f"calls this a **{name}**" in page
    assert f"**{hidden + 2} layers of neurons** (layer 0 to layer {hidden + 1})" in page
    assert ("the **3-layer network** that 3.4 implements" in page) == (hidden == 2)
    diagram = at.get("graphviz_chart")[0].proto.spec
    assert "layer 0\\ninput layer" in diagram
    assert f"layer {hidden + 1}\\noutput layer" in diagram
    assert diagram.count("hidden layer") == hidden


def test_the_page_speaks_korean():
    # Opened with XOR from the link: AppTest formats the h() options outside the session, in English, so a
    # click on a Korean page would fail in the test (not in the app).
    at = open_page("perceptron", {"lang": "ko", "perceptron_gate": "xor"})
    assert at.title[0].value == "3.1 퍼셉트론에서 신경망으로"
    headers = ["3.1.1 신경망의 예", "3.1.2 퍼셉트론 복습", "3.1.3 활성화 함수의 등장"]
    assert [h.value for h in at.header] == headers
    assert "**2층 신경망**" in texts(at)
    assert "직선 하나로는 XOR 게이트를 만들 수 없습니다" in at.warning[0].value
    assert metric(at, "y가 XOR와 같은 입력") == "3 / 4"
