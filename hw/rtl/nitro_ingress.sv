// nitro_ingress: AXI4-Stream input stage of one direction.
// Writes every beat of a frame into a beat FIFO at line rate (data + last flag; the length of
// the last beat is carried by the header record), captures the first HDR_BYTES bytes of the
// frame (bytes past the frame end read as 0) and, with the last beat, pushes a header record
// {header bytes, frame length, tuser} into a header FIFO. Beats past MAX_LEN are not stored
// (except the last one, which closes the frame): such frames are dropped downstream with
// mtu-exceeded, and no frame can hold more than STORE_BEATS+1 buffer entries.
module nitro_ingress #(
  parameter int DATA_WIDTH      = 512,             // bits per beat
  parameter int KEEP_WIDTH      = DATA_WIDTH / 8,  // bytes per beat
  parameter int HDR_BYTES       = 64,              // header bytes captured (<= 2 beats)
  parameter int MAX_LEN         = 9015,            // longest frame that may pass (bytes)
  parameter int BEAT_DEPTH_LOG2 = 9,               // beat FIFO depth (log2 beats)
  parameter int HDR_DEPTH_LOG2  = 5,               // header FIFO depth (log2 records)
  parameter int USER_WIDTH      = 8                // tuser bits
) (
  input  logic                   clk,
  input  logic                   rst,             // synchronous, active high
  // Frame input
  input  logic [DATA_WIDTH-1:0]  s_axis_tdata,
  input  logic [KEEP_WIDTH-1:0]  s_axis_tkeep,
  input  logic                   s_axis_tvalid,
  output logic                   s_axis_tready,
  input  logic                   s_axis_tlast,
  input  logic [USER_WIDTH-1:0]  s_axis_tuser,
  // Stored beats, in order
  output logic [DATA_WIDTH-1:0]  m_axis_beat_tdata,
  output logic                   m_axis_beat_tlast,
  output logic                   m_axis_beat_tvalid,
  input  logic                   m_axis_beat_tready,
  // Header records, one per frame
  output logic [8*HDR_BYTES-1:0] hdr_data,        // byte k in bits [8k+7:8k]
  output logic [15:0]            hdr_len,         // frame length, saturating at 65535
  output logic [USER_WIDTH-1:0]  hdr_user,        // tuser of the last beat
  output logic                   hdr_valid,
  input  logic                   hdr_ready,
  // Status
  output logic                   busy             // a frame is being received or is buffered
);

  localparam int STORE_BEATS = (MAX_LEN + KEEP_WIDTH - 1) / KEEP_WIDTH;
  localparam int HDR_W       = 8 * HDR_BYTES + 16 + USER_WIDTH;
  localparam int HDR_BEATS   = HDR_BYTES > KEEP_WIDTH ? 2 : 1;                    // beats the header spans

  if (KEEP_WIDTH * 8 != DATA_WIDTH) begin : g_chk_keep
    $error("nitro_ingress: KEEP_WIDTH must be DATA_WIDTH / 8");
  end
  if (HDR_BYTES < 1 || HDR_BYTES > 2 * KEEP_WIDTH) begin : g_chk_hdr
    $error("nitro_ingress: HDR_BYTES must be in 1..2*KEEP_WIDTH");
  end
  if (MAX_LEN < 1 || MAX_LEN > 60000) begin : g_chk_len
    $error("nitro_ingress: MAX_LEN must be in 1..60000");
  end
  if (2 ** BEAT_DEPTH_LOG2 < 2 * (STORE_BEATS + 1)) begin : g_chk_beats
    $error("nitro_ingress: beat FIFO must hold two maximum frames");
  end

  logic [15:0]            beat_idx_q;     // beats received in the current frame (saturating)
  logic [8*HDR_BYTES-1:0] hdr_q, hdr_next;
  logic [16:0]            len_full;
  logic [6:0]             last_bytes;
  logic                   beat_full, hdr_full;
  logic                   accept, store;
  logic                   beat_empty, hdr_empty;
  logic [BEAT_DEPTH_LOG2:0] beat_space;
  logic [HDR_DEPTH_LOG2:0]  hdr_space;
  logic [HDR_W-1:0]       hdr_wr, hdr_rd;

  assign s_axis_tready = !beat_full && !hdr_full;
  assign accept        = s_axis_tvalid && s_axis_tready;
  assign store         = accept && (s_axis_tlast || (beat_idx_q < 16'(STORE_BEATS)));

  // Byte count of the beat (tkeep is contiguous from bit 0).
  assign last_bytes = 7'($countones(s_axis_tkeep));
  assign len_full   = {1'b0, beat_idx_q} * 17'(KEEP_WIDTH) + 17'(last_bytes);

  // Header capture: header byte k lives in beat k / KEEP_WIDTH. Only a beat that is taken and
  // lies in the header window changes the header (the first one starts it from zeros); a full
  // beat is copied as a whole, only the last (partial) beat has its bytes masked by tkeep.
  logic [DATA_WIDTH-1:0] beat_bytes;   // the beat, bytes past tkeep zeroed
  logic                  capture;
  assign capture = accept && (beat_idx_q < 16'(HDR_BEATS));

  always_comb begin
    beat_bytes = s_axis_tdata;
    if (capture && !(&s_axis_tkeep)) begin
      for (int k = 0; k < KEEP_WIDTH; k++) begin
        if (!s_axis_tkeep[k]) beat_bytes[8*k +: 8] = 8'h00;
      end
    end
  end

  if (HDR_BEATS == 1) begin : g_hdr1
    always_comb begin
      hdr_next = hdr_q;
      if (capture) hdr_next = beat_bytes[8*HDR_BYTES-1:0];
    end
  end else begin : g_hdr2
    always_comb begin
      hdr_next = hdr_q;
      if (capture) begin
        if (beat_idx_q == '0) hdr_next = {(8*(HDR_BYTES-KEEP_WIDTH))'(0), beat_bytes};
        else                  hdr_next[8*HDR_BYTES-1:DATA_WIDTH] = beat_bytes[8*(HDR_BYTES-KEEP_WIDTH)-1:0];
      end
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      beat_idx_q <= '0;
      hdr_q      <= '0;
    end else if (accept) begin
      hdr_q <= hdr_next;
      if (s_axis_tlast)              beat_idx_q <= '0;
      else if (beat_idx_q != 16'hFFFF) beat_idx_q <= beat_idx_q + 16'd1;
    end
  end

  assign hdr_wr = {hdr_next, (len_full[16] ? 16'hFFFF : len_full[15:0]), s_axis_tuser};

  nitro_fifo #(
    .WIDTH      (DATA_WIDTH + 1),
    .DEPTH_LOG2 (BEAT_DEPTH_LOG2)
  ) u_beats (
    .clk      (clk),
    .rst      (rst),
    .wr_data  ({s_axis_tlast, s_axis_tdata}),
    .wr_en    (store),
    .full     (beat_full),
    .space    (beat_space),
    .rd_data  ({m_axis_beat_tlast, m_axis_beat_tdata}),
    .rd_valid (m_axis_beat_tvalid),
    .rd_ready (m_axis_beat_tready),
    .empty    (beat_empty)
  );

  nitro_fifo #(
    .WIDTH      (HDR_W),
    .DEPTH_LOG2 (HDR_DEPTH_LOG2)
  ) u_hdrs (
    .clk      (clk),
    .rst      (rst),
    .wr_data  (hdr_wr),
    .wr_en    (accept && s_axis_tlast),
    .full     (hdr_full),
    .space    (hdr_space),
    .rd_data  (hdr_rd),
    .rd_valid (hdr_valid),
    .rd_ready (hdr_ready),
    .empty    (hdr_empty)
  );

  assign {hdr_data, hdr_len, hdr_user} = hdr_rd;
  assign busy = (beat_idx_q != '0) || !beat_empty || !hdr_empty;

  // space outputs are not needed here
  logic unused_space;
  assign unused_space = ^{beat_space, hdr_space};

endmodule
