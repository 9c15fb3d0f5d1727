// nitro_frame_fifo: store-and-forward frame FIFO. Beats of a frame are written one a cycle and
// become readable only when the frame's last beat is written (commit); a frame that meets a full
// memory is discarded whole at its last beat (the write pointer returns to the last commit) and
// reported on `dropped`, so the reader never sees part of a frame. Asynchronous read of the
// head word (distributed RAM): a committed beat is readable in the cycle after its commit edge.
module nitro_frame_fifo #(
  parameter int WIDTH      = 8,  // bits per beat (the caller packs data, keep, user)
  parameter int DEPTH_LOG2 = 6   // memory beats = 2**DEPTH_LOG2: the longest frame that fits
) (
  input  logic                  clk,
  input  logic                  rst,          // synchronous, active high
  // Write side: no backpressure (a beat that finds the memory full spoils its frame)
  input  logic [WIDTH-1:0]      wr_data,
  input  logic                  wr_en,
  input  logic                  wr_last,      // with wr_en: the frame's last beat
  output logic                  full,         // memory full (the next beat would spoil its frame)
  output logic                  dropped,      // pulse: a spoiled frame's last beat was written
  output logic                  committed,    // pulse: a whole frame became readable
  // Read side (valid/ready), committed beats only
  output logic [WIDTH-1:0]      rd_data,
  output logic                  rd_valid,
  input  logic                  rd_ready,
  // Status
  output logic                  empty         // nothing stored, no frame being written
);

  if (WIDTH < 1) begin : g_chk_width
    $error("nitro_frame_fifo: WIDTH must be >= 1");
  end
  if (DEPTH_LOG2 < 1 || DEPTH_LOG2 > 16) begin : g_chk_depth
    $error("nitro_frame_fifo: DEPTH_LOG2 must be in 1..16");
  end

  localparam int DEPTH = 2 ** DEPTH_LOG2;

  logic [WIDTH-1:0]    mem [DEPTH];
  logic [DEPTH_LOG2:0] wr_ptr_q, commit_ptr_q, rd_ptr_q;   // one extra bit tells full from empty
  logic                spoiled_q, do_store, spoil;

  assign full      = (wr_ptr_q - rd_ptr_q) == (DEPTH_LOG2+1)'(DEPTH);
  assign spoil     = wr_en && (spoiled_q || full);
  assign do_store  = wr_en && !spoil;
  assign dropped   = spoil && wr_last;
  assign committed = do_store && wr_last;
  assign rd_valid  = rd_ptr_q != commit_ptr_q;
  assign rd_data   = mem[rd_ptr_q[DEPTH_LOG2-1:0]];
  assign empty     = (wr_ptr_q == rd_ptr_q) && !spoiled_q;

  always_ff @(posedge clk) begin
    if (do_store) mem[wr_ptr_q[DEPTH_LOG2-1:0]] <= wr_data;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      wr_ptr_q     <= '0;
      commit_ptr_q <= '0;
      rd_ptr_q     <= '0;
      spoiled_q    <= 1'b0;
    end else begin
      if (rd_valid && rd_ready) rd_ptr_q <= rd_ptr_q + 1'b1;
      if (wr_en && wr_last) begin
        spoiled_q <= 1'b0;
        if (spoil) begin
          wr_ptr_q <= commit_ptr_q;
        end else begin
          wr_ptr_q     <= wr_ptr_q + 1'b1;
          commit_ptr_q <= wr_ptr_q + 1'b1;
        end
      end else if (wr_en) begin
        spoiled_q <= spoil;
        if (do_store) wr_ptr_q <= wr_ptr_q + 1'b1;
      end
    end
  end

endmodule
