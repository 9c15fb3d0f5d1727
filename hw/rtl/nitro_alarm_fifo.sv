// nitro_alarm_fifo: the alarm FIFO. Two push ports per cycle (port a is ordered before port b),
// one pop. Entries alternate between two single-write-port banks (entry n in bank n % 2), so two
// pushes in one cycle never hit the same bank. Alarms that find the FIFO full are counted in a
// saturating overflow counter. The head is readable combinationally.
module nitro_alarm_fifo #(
  parameter int WIDTH = 200,  // bits per alarm
  parameter int DEPTH = 64    // alarms held (power of two, >= 4)
) (
  input  logic                       clk,
  input  logic                       rst,        // synchronous, active high
  // Push ports
  input  logic                       a_push,
  input  logic [WIDTH-1:0]           a_data,
  input  logic                       b_push,
  input  logic [WIDTH-1:0]           b_data,
  // Head and pop
  input  logic                       pop,        // ignored when empty
  output logic [WIDTH-1:0]           head,       // valid when count != 0
  output logic [$clog2(DEPTH):0]     count,
  output logic [31:0]                overflow
);

  localparam int PW = $clog2(DEPTH);   // pointer bits

  if (DEPTH < 4 || (2 ** PW) != DEPTH) begin : g_chk_depth
    $error("nitro_alarm_fifo: DEPTH must be a power of two >= 4");
  end

  logic [WIDTH-1:0] bank0 [DEPTH/2];
  logic [WIDTH-1:0] bank1 [DEPTH/2];
  logic [PW-1:0]    wr_q, rd_q;
  logic [PW:0]      count_q;
  logic [31:0]      ovf_q;

  logic [PW:0]      space;
  logic             do_pop, wa, wb;       // accepted pushes
  logic [1:0]       nlost;
  logic [PW-1:0]    pa, pb;               // entry positions of the accepted pushes
  logic             we0, we1;
  logic [1:0]       unused_w;
  logic [WIDTH-1:0] wd0, wd1;
  logic [PW-1:0]    wp0, wp1;

  assign do_pop = pop && (count_q != '0);
  assign space  = (PW+1)'(DEPTH) - count_q;
  always_comb begin
    wa    = 1'b0;
    wb    = 1'b0;
    nlost = 2'd0;
    if (a_push && b_push) begin
      wa = (space >= (PW+1)'(1));
      wb = (space >= (PW+1)'(2));
      nlost = 2'(!wa) + 2'(!wb);
    end else if (a_push) begin
      wa = (space != '0);
      nlost = 2'(!wa);
    end else if (b_push) begin
      wb = (space != '0);
      nlost = 2'(!wb);
    end
  end
  assign pa = wr_q;
  assign pb = wa ? wr_q + 1'b1 : wr_q;

  // Steer each accepted push to its bank
  always_comb begin
    we0 = 1'b0; we1 = 1'b0;
    wd0 = a_data; wd1 = a_data;
    wp0 = pa;     wp1 = pa;
    if (wa) begin
      if (pa[0]) begin we1 = 1'b1; wd1 = a_data; wp1 = pa; end
      else       begin we0 = 1'b1; wd0 = a_data; wp0 = pa; end
    end
    if (wb) begin
      if (pb[0]) begin we1 = 1'b1; wd1 = b_data; wp1 = pb; end
      else       begin we0 = 1'b1; wd0 = b_data; wp0 = pb; end
    end
  end
  assign unused_w = {wp0[0], wp1[0]};

  always_ff @(posedge clk) begin
    if (we0) bank0[wp0[PW-1:1]] <= wd0;
    if (we1) bank1[wp1[PW-1:1]] <= wd1;
  end

  assign head     = rd_q[0] ? bank1[rd_q[PW-1:1]] : bank0[rd_q[PW-1:1]];
  assign count    = count_q;
  assign overflow = ovf_q;

  always_ff @(posedge clk) begin
    if (rst) begin
      wr_q    <= '0;
      rd_q    <= '0;
      count_q <= '0;
      ovf_q   <= '0;
    end else begin
      wr_q    <= wr_q + PW'(wa) + PW'(wb);
      if (do_pop) rd_q <= rd_q + 1'b1;
      count_q <= count_q + (PW+1)'(wa) + (PW+1)'(wb) - (PW+1)'(do_pop);
      if (nlost != 2'd0) begin
        ovf_q <= (ovf_q > 32'hFFFF_FFFD) ? 32'hFFFF_FFFF : ovf_q + 32'(nlost);
      end
    end
  end

endmodule
