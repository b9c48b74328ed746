"""jupyter_kernel_test against the installed tsfutures kernelspec (run by kernel-test.test.ts, or by hand:
JUPYTER_PATH=<prefix>/share/jupyter /usr/bin/python3 -m unittest test/kernel/kernel_test.py)."""
import os
import unittest

import jupyter_kernel_test


class TsfuturesKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("TSFUTURES_KERNEL_NAME", "tsfutures")
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'

    completion_samples = [
        {"text": "Math.ma", "matches": ["max"]},
        {"text": "const completeMe = 1; complete"},
    ]
    complete_code_samples = ["1", "const x = 1;", "function f() { return 1; }", "console.log('done')"]
    incomplete_code_samples = ["function f() {", "const xs = [1,", "if (true) {"]
    invalid_code_samples = ["const = 1;", "}}", "let 1x = 2;"]

    code_generate_error = 'throw new Error("boom")'
    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "'a' + 'b'", "result": "'ab'"},
        {"code": "[1, 2, true]", "result": "[1, 2, True]"},
    ]
    code_display_data = [
        {"code": "display({'text/html': '<b>bold</b>'}, {raw: true})", "mime": "text/html"},
        {"code": "display({ _repr_svg_: () => '<svg xmlns=\"http://www.w3.org/2000/svg\"/>' })", "mime": "image/svg+xml"},
    ]
    code_clear_output = "clear_output()"

    code_history_pattern = "1 + ?"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"


if __name__ == "__main__":
    unittest.main()
