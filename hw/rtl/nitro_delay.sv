// nitro_delay: a fixed delay of DEPTH clock cycles (DEPTH 0 is a wire). Used to line a lookup
// pipeline's record up with the results of the filtering modules that run beside it (route
// lookup, network ACLs). DEPTH >= 2 is a ring buffer, not a shift register: a memory of
// DEPTH - 1 words written and read at one pointer (the word read is the one written DEPTH - 1
// cycles ago) and an output register, so each cycle moves one word in and one out whatever
// the depth (distributed RAM on an FPGA instead of DEPTH x WIDTH flip-flops). DEPTH 1 is a
// register. No reset: the valid bits travel in the pipelines' own stage registers.
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
  end else if (DEPTH == 1) begin : g_reg
    logic [WIDTH-1:0] q_q;
    always_ff @(posedge clk) q_q <= d;
    assign q = q_q;
  end else begin : g_ring
    localparam int N  = DEPTH - 1;                       // ring words
    localparam int PW = (N > 1) ? $clog2(N) : 1;         // pointer bits
    logic [WIDTH-1:0] ring [N];
    logic [PW-1:0]    ptr_q = '0;
    logic [WIDTH-1:0] q_q;
    // The word is read before it is overwritten in the same process; the write is blocking because nothing
    // else reads the ring (a non-blocking one costs the Verilated model a delayed copy of the word a cycle).
    always_ff @(posedge clk) begin
      q_q         <= ring[ptr_q];
      /* verilator lint_off BLKSEQ */
      ring[ptr_q] = d;
      /* verilator lint_on BLKSEQ */
      ptr_q       <= (ptr_q == PW'(N - 1)) ? '0 : ptr_q + 1'b1;
    end
    assign q = q_q;
  end

endmodule
