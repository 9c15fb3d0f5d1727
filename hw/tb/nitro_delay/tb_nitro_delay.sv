// tb_nitro_delay: random words through delays of 0, 1, 2, 3, 8 and 11 cycles (wire, register,
// ring buffers of 1, 2, 7 and 10 words): every cycle's output is the input of DEPTH edges before.
`timescale 1ns/1ps
module tb_nitro_delay;

  tb_verdict #(.TIMEOUT(1000000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  localparam int W = 70;
  localparam int ND = 6;
  localparam int DEPTHS [ND] = '{0, 1, 2, 3, 8, 11};
  logic clk = 0;
  always #1 clk = ~clk;

  logic [W-1:0] d;
  logic [W-1:0] q [ND];

  for (genvar i = 0; i < ND; i++) begin : g_dut
    nitro_delay #(.WIDTH(W), .DEPTH(DEPTHS[i])) dut (.clk(clk), .d(d), .q(q[i]));
  end

  logic [W-1:0] history [$];   // history[0]: the word driven in the current cycle
  int errors = 0, checked = 0;

  initial begin
    d = '0;
    for (int n = 0; n < 2000; n++) begin
      @(negedge clk);
      d = {$urandom, $urandom, 6'($urandom)};
      history.push_front(d);
      if (history.size() > 16) void'(history.pop_back());
      #0.5;
      for (int i = 0; i < ND; i++) begin
        // after n edges since the first word, DEPTHS[i] edges back is history[DEPTHS[i]]
        if (n >= DEPTHS[i]) begin
          if (q[i] !== history[DEPTHS[i]]) begin
            $display("ERROR: depth %0d cycle %0d: %h, expected %h", DEPTHS[i], n, q[i], history[DEPTHS[i]]);
            errors++;
          end
          checked++;
        end
      end
    end
    if (checked < 10000) begin $display("ERROR: only %0d checks", checked); errors++; end
    verdict.finish(errors);
  end

endmodule
