// tb_verdict: the verdict, the checks and the watchdog every bench shares. Instantiate it in the
// bench (`tb_verdict #(.TIMEOUT(t)) verdict ();`), check with `verdict.check(ok, "what")` (the first
// SHOWN failures are printed, all are counted) and end the test with `verdict.finish(errors)`, where
// `errors` are failures the bench counted itself (0 when it only uses check): prints `PASS` and
// finishes, or `FAIL: <n> errors` and exits non-zero ($fatal). If the bench has not finished after
// TIMEOUT time units, it prints `FAIL: timeout` and exits.
`timescale 1ns/1ps
module tb_verdict #(
  parameter longint TIMEOUT = 1000000,  // watchdog, in ns
  parameter int SHOWN = 10              // failed checks printed (all are counted)
) ();

  int failed_checks = 0;

  task automatic check(input bit ok, input string msg);
    if (!ok) begin
      if (failed_checks < SHOWN) $display("ERROR: %s", msg);
      failed_checks++;
    end
  endtask

  task automatic finish(input int errors);
    if (errors + failed_checks == 0) begin
      $display("PASS");
      $finish;
    end else begin
      $display("FAIL: %0d errors", errors + failed_checks);
      $fatal(1);
    end
  endtask

  initial begin
    #(TIMEOUT);
    $display("FAIL: timeout");
    $fatal(1);
  end

endmodule
