// tb_verdict: the verdict and watchdog every bench shares. Instantiate it in the bench
// (`tb_verdict #(.TIMEOUT(t)) verdict ();`) and end the test with `verdict.finish(errors)`:
// prints `PASS` and finishes, or `FAIL: <n> errors` and exits non-zero ($fatal). If the
// bench has not finished after TIMEOUT time units, it prints `FAIL: timeout` and exits.
`timescale 1ns/1ps
module tb_verdict #(
  parameter longint TIMEOUT = 1000000  // watchdog, in ns
) ();

  task automatic finish(input int errors);
    if (errors == 0) begin
      $display("PASS");
      $finish;
    end else begin
      $display("FAIL: %0d errors", errors);
      $fatal(1);
    end
  endtask

  initial begin
    #(TIMEOUT);
    $display("FAIL: timeout");
    $fatal(1);
  end

endmodule
