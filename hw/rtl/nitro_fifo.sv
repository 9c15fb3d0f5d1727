// nitro_fifo: synchronous first-word-fall-through FIFO.
// Storage is a simple dual-port memory with a registered read (maps to block RAM); the read
// register is the output stage, so a word written at edge t is visible at the output after
// edge t+2. Sustains one write and one read per cycle.
module nitro_fifo #(
  parameter int WIDTH      = 8,  // bits per word
  parameter int DEPTH_LOG2 = 4   // memory words = 2**DEPTH_LOG2 (the output register holds one more)
) (
  input  logic                  clk,
  input  logic                  rst,          // synchronous, active high
  // Write side
  input  logic [WIDTH-1:0]      wr_data,
  input  logic                  wr_en,        // ignored when full
  output logic                  full,         // memory full
  output logic [DEPTH_LOG2:0]   space,        // free memory words
  // Read side (valid/ready)
  output logic [WIDTH-1:0]      rd_data,
  output logic                  rd_valid,
  input  logic                  rd_ready,
  // Status
  output logic                  empty         // nothing stored (memory and output register)
);

  if (WIDTH < 1) begin : g_chk_width
    $error("nitro_fifo: WIDTH must be >= 1");
  end
  if (DEPTH_LOG2 < 1 || DEPTH_LOG2 > 20) begin : g_chk_depth
    $error("nitro_fifo: DEPTH_LOG2 must be in 1..20");
  end

  localparam int DEPTH = 2 ** DEPTH_LOG2;

  logic [WIDTH-1:0]      mem [DEPTH];
  logic [DEPTH_LOG2-1:0] wr_ptr_q, rd_ptr_q;
  logic [DEPTH_LOG2:0]   count_q;
  logic                  out_v_q;
  logic [WIDTH-1:0]      out_q;
  logic                  do_wr, do_rd;

  assign full     = count_q[DEPTH_LOG2];
  assign space    = (DEPTH_LOG2+1)'(DEPTH) - count_q;
  assign do_wr    = wr_en && !full;
  assign do_rd    = (count_q != '0) && (!out_v_q || rd_ready);
  assign rd_data  = out_q;
  assign rd_valid = out_v_q;
  assign empty    = (count_q == '0) && !out_v_q;

  // One process reads, then writes, the memory (read-first, a block RAM's simple dual port). The write is
  // blocking because nothing outside this process reads mem: a non-blocking one costs the Verilated model a
  // delayed copy of the word, its index and a flag, cleared and tested every cycle (as in nitro_nacl).
  always_ff @(posedge clk) begin
    if (do_rd) out_q <= mem[rd_ptr_q];
    /* verilator lint_off BLKSEQ */
    if (do_wr) mem[wr_ptr_q] = wr_data;
    /* verilator lint_on BLKSEQ */
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      wr_ptr_q <= '0;
      rd_ptr_q <= '0;
      count_q  <= '0;
      out_v_q  <= 1'b0;
    end else begin
      if (do_wr) wr_ptr_q <= wr_ptr_q + 1'b1;
      if (do_rd) rd_ptr_q <= rd_ptr_q + 1'b1;
      count_q <= count_q + (DEPTH_LOG2+1)'(do_wr) - (DEPTH_LOG2+1)'(do_rd);
      if (do_rd)         out_v_q <= 1'b1;
      else if (rd_ready) out_v_q <= 1'b0;
    end
  end

endmodule
