// nitro_delay: a fixed delay of DEPTH clock cycles (a shift register; DEPTH 0 is a wire). Used
// to line a lookup pipeline's record up with the results of the filtering modules that run
// beside it (route lookup, network ACLs). No reset: the valid bits travel in the pipelines'
// own stage registers.
module nitro_delay #(
  parameter int WIDTH = 1,   // bits
  parameter int DEPTH = 1    // cycles (0..64)
) (
  input  logic             clk,
  input  logic [WIDTH-1:0] d,
  output logic [WIDTH-1:0] q
);

  if (DEPTH < 0 || DEPTH > 64 || WIDTH < 1) begin : g_chk
    $error("nitro_delay: DEPTH must be in 0..64, WIDTH at least 1");
  end

  if (DEPTH == 0) begin : g_wire
    logic unused_clk;
    assign unused_clk = clk;
    assign q = d;
  end else begin : g_shift
    (* mem2reg *) logic [WIDTH-1:0] sr_q [DEPTH];
    always_ff @(posedge clk) begin
      sr_q[0] <= d;
      for (int i = 1; i < DEPTH; i++) sr_q[i] <= sr_q[i-1];
    end
    assign q = sr_q[DEPTH-1];
  end

endmodule
