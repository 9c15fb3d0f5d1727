// nitro_tx_lookup: TX decision pipeline, one header per cycle, fixed latency, no internal stalls.
//   pop : header FIFO head; ENI read by slot        -> T1
//   T1  : header checks (spec TX 1-5, ARP 1-4, IPv4 1-6), IPv4 checksum, CRC-32C/CRC-32 of
//         the mapping key, flow hash                  -> T2
//   T2  : mapping port A address (the key's bucket in both ways) -> T3 (memory data arrives)
//   T3  : compare every slot of both buckets (nitro_map_match), final action -> T4
//   T4  : build the first output beat (rewritten MACs, ARP reply or 50-byte outer header +
//         inner bytes 0..13), push the decision, report counters and alarms.
// A header is admitted only when the decision FIFO has room for it and everything in flight,
// and never while the table engine freezes the pipelines.
// Big-endian field extraction from a header vector (byte k in bits [8k+7:8k]). Macros rather
// than functions: Yosys 0.23 elaborates these much faster.
`define NB8(h, k)  h[8*(k) +: 8]
`define NB16(h, k) {h[8*(k) +: 8], h[8*((k)+1) +: 8]}
`define NB24(h, k) {h[8*(k) +: 8], h[8*((k)+1) +: 8], h[8*((k)+2) +: 8]}
`define NB32(h, k) {h[8*(k) +: 8], h[8*((k)+1) +: 8], h[8*((k)+2) +: 8], h[8*((k)+3) +: 8]}
`define NB48(h, k) {`NB16(h, k), `NB32(h, (k)+2)}
module nitro_tx_lookup #(
  parameter int NUM_ENI            = 64,    // ENI slots
  parameter int MAP_WAY_DEPTH_LOG2 = 15,    // entries per way (log2)
  parameter int MAP_BUCKET_SLOTS_LOG2 = 2,  // entries per bucket (log2)
  parameter int IP_MTU             = 9001,  // largest IPv4 total length an instance may send
  parameter int DEC_SPACE_W        = 5,     // width of the decision FIFO free-space count
  parameter int MAP_W              = 146    // mapping entry bits
) (
  input  logic                          clk,
  input  logic                          rst,           // synchronous, active high
  // Header records
  input  logic [511:0]                  hdr_data,      // frame bytes 0..63 (0 past the end)
  input  logic [15:0]                   hdr_len,
  input  logic [7:0]                    hdr_user,      // ENI slot
  input  logic                          hdr_valid,
  output logic                          hdr_ready,
  // Flow control
  input  logic                          freeze,
  input  logic [DEC_SPACE_W-1:0]        dec_space,     // free decision FIFO entries
  output logic                          busy,          // a header is in the pipeline
  // Card registers
  input  logic [31:0]                   underlay_ip,
  input  logic [47:0]                   underlay_mac,
  input  logic [47:0]                   nexthop_mac,
  input  logic [47:0]                   gateway_mac,
  // ENI table read
  output logic [7:0]                    eni_slot,
  input  logic                          eni_valid,
  input  logic                          eni_sdc,
  input  logic [5:0]                    eni_sublen,
  input  logic [23:0]                   eni_vni,
  input  logic [31:0]                   eni_ip,
  input  logic [47:0]                   eni_mac,
  input  logic [31:0]                   eni_subnet,
  // Mapping lookup (port A of both ways): bucket address, whole bucket the cycle after
  output logic [MAP_WAY_DEPTH_LOG2-MAP_BUCKET_SLOTS_LOG2-1:0] map_addr0,
  output logic [MAP_WAY_DEPTH_LOG2-MAP_BUCKET_SLOTS_LOG2-1:0] map_addr1,
  input  logic [(2**MAP_BUCKET_SLOTS_LOG2)*MAP_W-1:0]        map_data0,
  input  logic [(2**MAP_BUCKET_SLOTS_LOG2)*MAP_W-1:0]        map_data1,
  // Decision: {kind[1:0], tuser[7:0], out_len[15:0], beat0[511:0]}
  output logic [537:0]                  dec_data,
  output logic                          dec_wr,
  // Statistics (valid for one cycle)
  output logic                          st_drop,
  output logic [3:0]                    st_reason,
  output logic [7:0]                    st_slot,
  output logic [23:0]                   st_vni,
  output logic [31:0]                   st_isrc,
  output logic [31:0]                   st_idst,
  output logic                          st_tx,         // frame accepted: tx counters of st_slot
  output logic [15:0]                   st_len,
  output logic                          st_rx,         // frame delivered to host port
  output logic [7:0]                    st_rx_slot,
  output logic [15:0]                   st_rx_len
);

  localparam int B         = MAP_WAY_DEPTH_LOG2 - MAP_BUCKET_SLOTS_LOG2;  // bucket address bits
  localparam int MAX_FRAME = 14 + IP_MTU;

  if (IP_MTU < 68 || IP_MTU > 16000) begin : g_chk_mtu
    $error("nitro_tx_lookup: IP_MTU must be in 68..16000");
  end
  if (NUM_ENI < 2 || NUM_ENI > 256) begin : g_chk_eni
    $error("nitro_tx_lookup: NUM_ENI must be in 2..256");
  end
  if (DEC_SPACE_W < 3) begin : g_chk_space
    $error("nitro_tx_lookup: decision FIFO must hold at least 4 entries");
  end

  localparam logic [1:0] K_DROP = 2'd0, K_HOST = 2'd1, K_ARP = 2'd2, K_NET = 2'd3;

  // ---------------------------------------------------------------- helpers
  // big-endian value -> byte-lane order (first byte in the low bits)
  function automatic logic [47:0] sw48(input logic [47:0] v);
    sw48 = {v[7:0], v[15:8], v[23:16], v[31:24], v[39:32], v[47:40]};
  endfunction
  function automatic logic [31:0] sw32(input logic [31:0] v);
    sw32 = {v[7:0], v[15:8], v[23:16], v[31:24]};
  endfunction
  function automatic logic [23:0] sw24(input logic [23:0] v);
    sw24 = {v[7:0], v[15:8], v[23:16]};
  endfunction
  function automatic logic [15:0] sw16(input logic [15:0] v);
    sw16 = {v[7:0], v[15:8]};
  endfunction
  function automatic logic [31:0] subnet_mask(input logic [5:0] len);
    logic [31:0] m;
    m = '0;
    for (int i = 0; i < 32; i++) begin
      if (32'(i) < 32'(len)) m[31-i] = 1'b1;
    end
    subnet_mask = m;
  endfunction

  // ---------------------------------------------------------------- admission
  logic t1_v_q, t2_v_q, t3_v_q, t4_v_q;
  logic [DEC_SPACE_W-1:0] inflight;
  logic pop;

  assign inflight  = DEC_SPACE_W'(t1_v_q) + DEC_SPACE_W'(t2_v_q) + DEC_SPACE_W'(t3_v_q) + DEC_SPACE_W'(t4_v_q);
  assign pop       = hdr_valid && !freeze && (dec_space > inflight);
  assign hdr_ready = pop;
  assign busy      = t1_v_q || t2_v_q || t3_v_q || t4_v_q;
  assign eni_slot  = hdr_user;

  // ---------------------------------------------------------------- T1
  logic [511:0] t1_hdr_q;
  logic [15:0]  t1_len_q;
  logic [7:0]   t1_slot_q;
  logic         t1_eni_valid_q, t1_sdc_q;
  logic [5:0]   t1_sublen_q;
  logic [23:0]  t1_vni_q;
  logic [31:0]  t1_ip_q, t1_subnet_q;
  logic [47:0]  t1_mac_q;

  always_ff @(posedge clk) begin
    if (rst) t1_v_q <= 1'b0;
    else     t1_v_q <= pop;
    if (pop) begin
      t1_hdr_q       <= hdr_data;
      t1_len_q       <= hdr_len;
      t1_slot_q      <= hdr_user;
      t1_eni_valid_q <= eni_valid;
      t1_sdc_q       <= eni_sdc;
      t1_sublen_q    <= eni_sublen;
      t1_vni_q       <= eni_vni;
      t1_ip_q        <= eni_ip;
      t1_mac_q       <= eni_mac;
      t1_subnet_q    <= eni_subnet;
    end
  end

  // T1 checks
  logic [15:0] etype, frag;
  logic        is_arp, is_ip;
  logic [31:0] spa, tpa, ip_src, ip_dst, key_ip, mask, gw;
  logic [47:0] sha;
  logic [7:0]  proto, ttl;
  logic        ip_bad, ip_unsup;
  logic        pre_drop;
  logic [3:0]  pre_reason;
  logic        ports_ok;
  logic [31:0] crc_key_c, crc_key_i, crc_flow;

  assign etype  = `NB16(t1_hdr_q, 12);
  assign is_arp = (etype == 16'h0806);
  assign is_ip  = (etype == 16'h0800);
  assign sha    = `NB48(t1_hdr_q, 22);
  assign spa    = `NB32(t1_hdr_q, 28);
  assign tpa    = `NB32(t1_hdr_q, 38);
  assign frag   = `NB16(t1_hdr_q, 20);
  assign ttl    = `NB8(t1_hdr_q, 22);
  assign proto  = `NB8(t1_hdr_q, 23);
  assign ip_src = `NB32(t1_hdr_q, 26);
  assign ip_dst = `NB32(t1_hdr_q, 30);
  assign key_ip = is_arp ? tpa : ip_dst;
  assign mask   = subnet_mask(t1_sublen_q);
  assign gw     = t1_subnet_q + 32'd1;

  // IPv4 steps 1-4: version, IHL, checksum, total length
  nitro_ipv4_check u_ip_check (
    .ip          (t1_hdr_q[8*14 +: 160]),
    .frame_len   (17'(t1_len_q)),
    .bad         (ip_bad),
    .unsupported (ip_unsup)
  );

  always_comb begin
    pre_drop   = 1'b1;
    pre_reason = 4'(nitro_regs_pkg::DROP_UNSUPPORTED);
    if (t1_len_q > 16'(MAX_FRAME))                     pre_reason = 4'(nitro_regs_pkg::DROP_MTU_EXCEEDED);
    else if (t1_len_q < 16'd14)                        pre_reason = 4'(nitro_regs_pkg::DROP_MALFORMED);
    else if (!t1_eni_valid_q)                          pre_reason = 4'(nitro_regs_pkg::DROP_SOURCE_CHECK);
    else if (`NB48(t1_hdr_q, 6) != t1_mac_q)             pre_reason = 4'(nitro_regs_pkg::DROP_SOURCE_CHECK);
    else if (is_arp) begin
      if (t1_len_q < 16'd42 || `NB16(t1_hdr_q, 14) != 16'h0001 || `NB16(t1_hdr_q, 16) != 16'h0800
          || `NB8(t1_hdr_q, 18) != 8'd6 || `NB8(t1_hdr_q, 19) != 8'd4)
                                                       pre_reason = 4'(nitro_regs_pkg::DROP_MALFORMED);
      else if (`NB16(t1_hdr_q, 20) != 16'h0001)          pre_reason = 4'(nitro_regs_pkg::DROP_UNSUPPORTED);
      else if (sha != t1_mac_q || (spa != t1_ip_q && spa != 32'h0))
                                                       pre_reason = 4'(nitro_regs_pkg::DROP_SOURCE_CHECK);
      else if (tpa == t1_ip_q)                         pre_reason = 4'(nitro_regs_pkg::DROP_UNSUPPORTED);
      else                                             pre_drop   = 1'b0;
    end else if (is_ip) begin
      if (ip_bad)                                      pre_reason = ip_unsup ? 4'(nitro_regs_pkg::DROP_UNSUPPORTED)
                                                                             : 4'(nitro_regs_pkg::DROP_MALFORMED);
      else if (t1_sdc_q && ip_src != t1_ip_q)          pre_reason = 4'(nitro_regs_pkg::DROP_SOURCE_CHECK);
      else if (ttl == 8'd0)                            pre_reason = 4'(nitro_regs_pkg::DROP_TTL_EXPIRED);
      else                                             pre_drop   = 1'b0;
    end
  end

  assign ports_ok = (proto == 8'd6 || proto == 8'd17) && !frag[13] && (frag[12:0] == 13'd0);

  nitro_crc #(.NBYTES(7), .POLY(32'h82F63B78)) u_crc_key_c (
    .msg ({t1_vni_q, key_ip}), .crc (crc_key_c));
  nitro_crc #(.NBYTES(7), .POLY(32'hEDB88320)) u_crc_key_i (
    .msg ({t1_vni_q, key_ip}), .crc (crc_key_i));
  nitro_crc #(.NBYTES(13), .POLY(32'h82F63B78)) u_crc_flow (
    .msg ({ip_src, ip_dst, proto, (ports_ok ? `NB32(t1_hdr_q, 34) : 32'h0)}), .crc (crc_flow));

  // ---------------------------------------------------------------- T2
  logic [511:0] t2_hdr_q;
  logic [15:0]  t2_len_q;
  logic [7:0]   t2_slot_q;
  logic         t2_eni_valid_q;
  logic [23:0]  t2_vni_q;
  logic [47:0]  t2_mac_q;
  logic [31:0]  t2_key_ip_q;
  logic         t2_pre_drop_q;
  logic [3:0]   t2_pre_reason_q;
  logic         t2_is_arp_q, t2_arp_gw_q, t2_key_in_subnet_q;
  logic [15:0]  t2_sport_q;
  logic [B-1:0] t2_b0_q, t2_b1_q;

  always_ff @(posedge clk) begin
    if (rst) t2_v_q <= 1'b0;
    else     t2_v_q <= t1_v_q;
    t2_hdr_q           <= t1_hdr_q;
    t2_len_q           <= t1_len_q;
    t2_slot_q          <= t1_slot_q;
    t2_eni_valid_q     <= t1_eni_valid_q;
    t2_vni_q           <= t1_vni_q;
    t2_mac_q           <= t1_mac_q;
    t2_key_ip_q        <= key_ip;
    t2_pre_drop_q      <= pre_drop;
    t2_pre_reason_q    <= pre_reason;
    t2_is_arp_q        <= is_arp;
    t2_arp_gw_q        <= (tpa == gw);
    t2_key_in_subnet_q <= ((key_ip ^ t1_subnet_q) & mask) == 32'h0;
    t2_sport_q         <= {2'b11, crc_flow[13:0]};
    t2_b0_q            <= crc_key_c[B-1:0];
    t2_b1_q            <= crc_key_i[B-1:0];
  end

  assign map_addr0 = t2_b0_q;
  assign map_addr1 = t2_b1_q;

  // ---------------------------------------------------------------- T3
  logic [511:0] t3_hdr_q;
  logic [15:0]  t3_len_q;
  logic [7:0]   t3_slot_q;
  logic         t3_eni_valid_q;
  logic [23:0]  t3_vni_q;
  logic [47:0]  t3_mac_q;
  logic [31:0]  t3_key_ip_q;
  logic         t3_pre_drop_q;
  logic [3:0]   t3_pre_reason_q;
  logic         t3_is_arp_q, t3_arp_gw_q, t3_key_in_subnet_q;
  logic [15:0]  t3_sport_q;

  always_ff @(posedge clk) begin
    if (rst) t3_v_q <= 1'b0;
    else     t3_v_q <= t2_v_q;
    t3_hdr_q           <= t2_hdr_q;
    t3_len_q           <= t2_len_q;
    t3_slot_q          <= t2_slot_q;
    t3_eni_valid_q     <= t2_eni_valid_q;
    t3_vni_q           <= t2_vni_q;
    t3_mac_q           <= t2_mac_q;
    t3_key_ip_q        <= t2_key_ip_q;
    t3_pre_drop_q      <= t2_pre_drop_q;
    t3_pre_reason_q    <= t2_pre_reason_q;
    t3_is_arp_q        <= t2_is_arp_q;
    t3_arp_gw_q        <= t2_arp_gw_q;
    t3_key_in_subnet_q <= t2_key_in_subnet_q;
    t3_sport_q         <= t2_sport_q;
  end

  // Mapping compare: entry {mac, underlay_ip, ip, vni, slot, local, valid}
  logic [MAP_W-1:0] e_ent;
  logic [47:0] e_mac;
  logic [31:0] e_uip, e_ip;
  logic [23:0] e_vni;
  logic [7:0]  e_slot;
  logic        e_local, e_valid, hit;

  nitro_map_match #(.WIDTH(MAP_W), .SLOTS(2 ** MAP_BUCKET_SLOTS_LOG2)) u_match (
    .bucket0 (map_data0),
    .bucket1 (map_data1),
    .vni     (t3_vni_q),
    .ip      (t3_key_ip_q),
    .hit     (hit),
    .entry   (e_ent)
  );
  assign {e_mac, e_uip, e_ip, e_vni, e_slot, e_local, e_valid} = e_ent;

  logic [1:0]  kind;
  logic [3:0]  reason;
  logic [47:0] ans_mac;
  always_comb begin
    kind    = K_DROP;
    reason  = t3_pre_reason_q;
    ans_mac = e_mac;
    if (!t3_pre_drop_q) begin
      if (t3_is_arp_q) begin
        if (t3_arp_gw_q) begin
          kind    = K_ARP;
          ans_mac = gateway_mac;
        end else if (t3_key_in_subnet_q && hit) begin
          kind    = K_ARP;
        end else begin
          reason  = 4'(nitro_regs_pkg::DROP_UNKNOWN_DESTINATION);
        end
      end else if (hit) begin
        kind = e_local ? K_HOST : K_NET;
      end else begin
        reason = 4'(nitro_regs_pkg::DROP_UNKNOWN_DESTINATION);
      end
    end
  end

  // ---------------------------------------------------------------- T4
  logic [511:0] t4_hdr_q;
  logic [15:0]  t4_len_q;
  logic [7:0]   t4_slot_q, t4_eslot_q;
  logic         t4_eni_valid_q;
  logic [23:0]  t4_vni_q;
  logic [47:0]  t4_mac_q, t4_ans_mac_q;
  logic [31:0]  t4_uip_q;
  logic [1:0]   t4_kind_q;
  logic [3:0]   t4_reason_q;
  logic         t4_in_subnet_q, t4_is_arp_q;
  logic [15:0]  t4_sport_q;

  always_ff @(posedge clk) begin
    if (rst) t4_v_q <= 1'b0;
    else     t4_v_q <= t3_v_q;
    t4_hdr_q       <= t3_hdr_q;
    t4_len_q       <= t3_len_q;
    t4_slot_q      <= t3_slot_q;
    t4_eslot_q     <= e_slot;
    t4_eni_valid_q <= t3_eni_valid_q;
    t4_vni_q       <= t3_vni_q;
    t4_mac_q       <= t3_mac_q;
    t4_ans_mac_q   <= ans_mac;
    t4_uip_q       <= e_uip;
    t4_kind_q      <= kind;
    t4_reason_q    <= reason;
    t4_in_subnet_q <= t3_key_in_subnet_q;
    t4_is_arp_q    <= t3_is_arp_q;
    t4_sport_q     <= t3_sport_q;
  end

  // Outer IPv4 header checksum (10-word adder tree)
  logic [15:0] o_tl, o_csum;
  logic [19:0] o_sum;
  logic [16:0] o_f1;
  logic [15:0] o_f2;
  assign o_tl  = t4_len_q + 16'd36;
  assign o_sum = 20'h4500 + 20'(o_tl) + 20'h4000 + 20'h4011
               + 20'(underlay_ip[31:16]) + 20'(underlay_ip[15:0]) + 20'(t4_uip_q[31:16]) + 20'(t4_uip_q[15:0]);
  assign o_f1  = 17'(o_sum[15:0]) + 17'(o_sum[19:16]);
  assign o_f2  = o_f1[15:0] + 16'(o_f1[16]);
  assign o_csum = ~o_f2;

  logic [511:0] beat0;
  logic [47:0]  src_mac;
  logic [15:0]  out_len;
  logic [7:0]   out_user;
  assign src_mac = t4_in_subnet_q ? t4_mac_q : gateway_mac;

  always_comb begin
    beat0    = t4_hdr_q;
    out_len  = t4_len_q;
    out_user = t4_slot_q;
    unique case (t4_kind_q)
      K_HOST: begin
        beat0[0 +: 48]  = sw48(t4_ans_mac_q);
        beat0[48 +: 48] = sw48(src_mac);
        out_user        = t4_eslot_q;
      end
      K_ARP: begin
        beat0            = '0;
        beat0[0 +: 48]   = t4_hdr_q[8*22 +: 48];          // requester's hardware address
        beat0[48 +: 48]  = sw48(t4_ans_mac_q);
        beat0[96 +: 16]  = sw16(16'h0806);
        beat0[112 +: 16] = sw16(16'h0001);
        beat0[128 +: 16] = sw16(16'h0800);
        beat0[144 +: 8]  = 8'd6;
        beat0[152 +: 8]  = 8'd4;
        beat0[160 +: 16] = sw16(16'h0002);
        beat0[176 +: 48] = sw48(t4_ans_mac_q);            // sender HW = answered MAC
        beat0[224 +: 32] = t4_hdr_q[8*38 +: 32];          // sender IP = requested IP
        beat0[256 +: 48] = t4_hdr_q[8*22 +: 48];          // target HW = requester
        beat0[304 +: 32] = t4_hdr_q[8*28 +: 32];          // target IP = requester IP
        out_len          = 16'd42;
      end
      K_NET: begin
        beat0            = '0;
        beat0[0 +: 48]   = sw48(nexthop_mac);
        beat0[48 +: 48]  = sw48(underlay_mac);
        beat0[96 +: 16]  = sw16(16'h0800);
        beat0[112 +: 16] = sw16(16'h4500);
        beat0[128 +: 16] = sw16(o_tl);
        beat0[160 +: 16] = sw16(16'h4000);
        beat0[176 +: 16] = sw16(16'h4011);
        beat0[192 +: 16] = sw16(o_csum);
        beat0[208 +: 32] = sw32(underlay_ip);
        beat0[240 +: 32] = sw32(t4_uip_q);
        beat0[272 +: 16] = sw16(t4_sport_q);
        beat0[288 +: 16] = sw16(16'd4789);
        beat0[304 +: 16] = sw16(t4_len_q + 16'd16);
        beat0[336 +: 8]  = 8'h08;
        beat0[368 +: 24] = sw24(t4_vni_q);
        beat0[400 +: 48] = sw48(t4_ans_mac_q);           // inner dst
        beat0[448 +: 48] = sw48(src_mac);                // inner src
        beat0[496 +: 16] = t4_hdr_q[96 +: 16];           // inner ethertype
        out_len          = t4_len_q + 16'd50;
      end
      default: ;
    endcase
  end

  assign dec_wr   = t4_v_q;
  assign dec_data = {t4_kind_q, out_user, out_len, beat0};

  // Statistics
  assign st_drop    = t4_v_q && (t4_kind_q == K_DROP);
  assign st_reason  = t4_reason_q;
  assign st_slot    = t4_slot_q;
  assign st_vni     = t4_eni_valid_q ? t4_vni_q : 24'h0;
  assign st_isrc    = t4_is_arp_q ? ((t4_len_q >= 16'd32) ? `NB32(t4_hdr_q, 28) : 32'h0)
                                  : ((t4_len_q >= 16'd30) ? `NB32(t4_hdr_q, 26) : 32'h0);
  assign st_idst    = t4_is_arp_q ? ((t4_len_q >= 16'd42) ? `NB32(t4_hdr_q, 38) : 32'h0)
                                  : ((t4_len_q >= 16'd34) ? `NB32(t4_hdr_q, 30) : 32'h0);
  assign st_tx      = t4_v_q && (t4_kind_q != K_DROP);
  assign st_len     = t4_len_q;
  assign st_rx      = t4_v_q && (t4_kind_q == K_HOST || t4_kind_q == K_ARP);
  assign st_rx_slot = out_user;
  assign st_rx_len  = out_len;

  logic unused_bits;
  assign unused_bits = ^{frag[15:14], crc_key_c[31:B], crc_key_i[31:B], crc_flow[31:14], e_ip, e_vni, e_valid};

endmodule

`undef NB8
`undef NB16
`undef NB24
`undef NB32
`undef NB48
