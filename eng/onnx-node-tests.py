#!/usr/bin/python3
"""Writes ONNX's official backend node tests for the recurrent operators (LSTM, GRU, RNN) into a folder.

Usage: /usr/bin/python3 eng/onnx-node-tests.py OUT_DIR

Uses the generator cases shipped in Debian's python3-onnx (onnx/backend/test/case/node/{lstm,gru,rnn}.py) and
writes what ONNX's own `backend-test-tools generate-data` writes for them: OUT_DIR/<test name>/model.onnx and
test_data_set_0/input_K.pb, output_K.pb (serialized TensorProtos). The stock tool cannot be used on Debian 12: it
imports every operator's cases, and one of them (bernoulli.py) uses np.float, which NumPy 1.24 removed.
"""
import importlib
import os
import shutil
import sys

from onnx import numpy_helper
import onnx.backend.test.case.node as node_cases

RECURRENT_CASES = ("lstm", "gru", "rnn")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    for module in RECURRENT_CASES:
        # Importing a case module runs its export_* methods, which append to node_cases._NodeTestCases.
        importlib.import_module(f"onnx.backend.test.case.node.{module}")
    cases = list(node_cases._NodeTestCases)  # pylint: disable=protected-access
    if not cases:
        print("error: the onnx package produced no recurrent node test cases", file=sys.stderr)
        return 1
    for case in cases:
        folder = os.path.join(out, case.name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        with open(os.path.join(folder, "model.onnx"), "wb") as f:
            f.write(case.model.SerializeToString())
        for i, (inputs, outputs) in enumerate(case.data_sets):
            data_dir = os.path.join(folder, f"test_data_set_{i}")
            os.makedirs(data_dir)
            for kind, values, infos in (("input", inputs, case.model.graph.input), ("output", outputs, case.model.graph.output)):
                for j, value in enumerate(values):
                    with open(os.path.join(data_dir, f"{kind}_{j}.pb"), "wb") as f:
                        f.write(numpy_helper.from_array(value, infos[j].name).SerializeToString())
        print(case.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
