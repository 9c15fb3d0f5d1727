// nitro_csr: the card's plain registers (ID, VERSION, PARAM_*, SCRATCH, underlay/gateway
// addresses, ALARM_MASK, TIME_*, CYCLE_*) and the alarm FIFO window (ALARM_STATUS,
// ALARM_OVERFLOW, ALARM_POP, ALARM_DATA0..7). Reading CYCLE_LO latches CYCLE_HI.
// Writing TIME_HI loads {TIME_HI, TIME_LO} into the time base. PARAM_FILTER / PARAM_CONNTRACK
// report the filtering geometry; CT_FREE comes from nitro_conntrack. FLOW_INTERVAL / FLOW_SET
// write a slot's flow record interval into nitro_conntrack; FLOW_OVERFLOWS comes from it.
module nitro_csr #(
  parameter int NUM_ENI            = 64,    // reported in PARAM_ENI
  parameter int MAP_WAY_DEPTH_LOG2 = 15,    // reported in PARAM_MAP
  parameter int MAP_BUCKET_SLOTS_LOG2 = 2,  // reported in PARAM_MAP.BUCKET_SLOTS_LOG2
  parameter int IP_MTU             = 9001,  // reported in PARAM_MISC
  parameter int NUM_EDGE           = 8,     // reported in PARAM_MISC
  parameter int BATCH_DEPTH        = 64,    // reported in PARAM_MISC.BATCH_DEPTH
  parameter int ALARM_CNT_W        = 7,     // width of the alarm count
  parameter int ROUTE_LEVELS       = 12,    // reported in PARAM_FILTER
  parameter int NUM_NACL           = 16,
  parameter int NACL_RULES         = 40,
  parameter int SG_RULES_LOG2      = 14,
  parameter int CT_BUCKETS_LOG2    = 18,    // reported in PARAM_CONNTRACK
  parameter int CT_WAYS            = 4,
  parameter int FLOW_LOG2          = 9      // reported in PARAM_FLOW.DEPTH (2^FLOW_LOG2 + 1)
) (
  input  logic                   clk,
  input  logic                   rst,            // synchronous, active high
  // CSR bus
  input  logic                   csr_valid,
  input  logic                   csr_write,
  input  logic [15:0]            csr_addr,
  input  logic [31:0]            csr_wdata,
  output logic [31:0]            csr_rd,         // read data for this block's addresses, else 0
  // Register values
  output logic [31:0]            underlay_ip,
  output logic [47:0]            underlay_mac,
  output logic [47:0]            nexthop_mac,
  output logic [47:0]            gateway_mac,
  output logic [31:0]            alarm_mask,
  output logic [63:0]            time_base,      // connection tracking liveness
  output logic [63:0]            cycle,
  input  logic [31:0]            ct_free,        // CT_FREE
  input  logic [31:0]            flow_overflows, // FLOW_OVERFLOWS
  output logic                   ivl_wr_en,      // FLOW_SET: a slot's flow record interval
  output logic [7:0]             ivl_wr_slot,
  output logic [31:0]            ivl_wr_data,
  // Alarm FIFO
  input  logic [199:0]           alarm_head,     // {cycle, reason, slot, vni, osrc, isrc, idst}
  input  logic [ALARM_CNT_W-1:0] alarm_count,
  input  logic [31:0]            alarm_overflow,
  output logic                   alarm_pop
);

  logic [31:0] scratch_q, uip_q, umac_lo_q, nmac_lo_q, gmac_lo_q, mask_q, time_lo_q, flow_ivl_q;
  logic [15:0] umac_hi_q, nmac_hi_q, gmac_hi_q;
  logic [63:0] time_q, cycle_q;
  logic [31:0] cycle_hi_q;

  logic wr, rd;
  assign wr = csr_valid && csr_write;
  assign rd = csr_valid && !csr_write;

  always_ff @(posedge clk) begin
    if (rst) begin
      scratch_q  <= nitro_regs_pkg::SCRATCH_RESET;
      uip_q      <= nitro_regs_pkg::UNDERLAY_IP_RESET;
      umac_lo_q  <= nitro_regs_pkg::UNDERLAY_MAC_LO_RESET;
      umac_hi_q  <= nitro_regs_pkg::UNDERLAY_MAC_HI_RESET[15:0];
      nmac_lo_q  <= nitro_regs_pkg::UNDERLAY_NEXTHOP_MAC_LO_RESET;
      nmac_hi_q  <= nitro_regs_pkg::UNDERLAY_NEXTHOP_MAC_HI_RESET[15:0];
      gmac_lo_q  <= nitro_regs_pkg::GATEWAY_MAC_LO_RESET;
      gmac_hi_q  <= nitro_regs_pkg::GATEWAY_MAC_HI_RESET[15:0];
      mask_q     <= nitro_regs_pkg::ALARM_MASK_RESET;
      flow_ivl_q <= nitro_regs_pkg::FLOW_INTERVAL_RESET;
      time_lo_q  <= nitro_regs_pkg::TIME_LO_RESET;
      time_q     <= {nitro_regs_pkg::TIME_HI_RESET, nitro_regs_pkg::TIME_LO_RESET};
      cycle_q    <= '0;
      cycle_hi_q <= '0;
    end else begin
      cycle_q <= cycle_q + 64'd1;
      if (wr) begin
        unique case (csr_addr)
          nitro_regs_pkg::ADDR_SCRATCH:                 scratch_q <= csr_wdata;
          nitro_regs_pkg::ADDR_UNDERLAY_IP:             uip_q     <= csr_wdata;
          nitro_regs_pkg::ADDR_UNDERLAY_MAC_LO:         umac_lo_q <= csr_wdata;
          nitro_regs_pkg::ADDR_UNDERLAY_MAC_HI:         umac_hi_q <= csr_wdata[15:0];
          nitro_regs_pkg::ADDR_UNDERLAY_NEXTHOP_MAC_LO: nmac_lo_q <= csr_wdata;
          nitro_regs_pkg::ADDR_UNDERLAY_NEXTHOP_MAC_HI: nmac_hi_q <= csr_wdata[15:0];
          nitro_regs_pkg::ADDR_GATEWAY_MAC_LO:          gmac_lo_q <= csr_wdata;
          nitro_regs_pkg::ADDR_GATEWAY_MAC_HI:          gmac_hi_q <= csr_wdata[15:0];
          nitro_regs_pkg::ADDR_ALARM_MASK:              mask_q    <= csr_wdata;
          nitro_regs_pkg::ADDR_FLOW_INTERVAL:           flow_ivl_q <= csr_wdata;
          nitro_regs_pkg::ADDR_TIME_LO:                 time_lo_q <= csr_wdata;
          nitro_regs_pkg::ADDR_TIME_HI:                 time_q    <= {csr_wdata, time_lo_q};
          default: ;
        endcase
      end
      if (rd && csr_addr == nitro_regs_pkg::ADDR_CYCLE_LO) cycle_hi_q <= cycle_q[63:32];
    end
  end

  assign underlay_ip  = uip_q;
  assign underlay_mac = {umac_hi_q, umac_lo_q};
  assign nexthop_mac  = {nmac_hi_q, nmac_lo_q};
  assign gateway_mac  = {gmac_hi_q, gmac_lo_q};
  assign alarm_mask   = mask_q;
  assign time_base    = time_q;
  assign cycle        = cycle_q;
  assign alarm_pop    = wr && (csr_addr == nitro_regs_pkg::ADDR_ALARM_POP);
  assign ivl_wr_en    = wr && (csr_addr == nitro_regs_pkg::ADDR_FLOW_SET);
  assign ivl_wr_slot  = csr_wdata[nitro_regs_pkg::FLOW_SET_SLOT_LSB +: 8];
  assign ivl_wr_data  = flow_ivl_q;

  // Alarm head words
  logic [63:0] a_cycle;
  logic [7:0]  a_reason, a_slot;
  logic [23:0] a_vni;
  logic [31:0] a_osrc, a_isrc, a_idst;
  logic        a_valid;
  assign {a_cycle, a_reason, a_slot, a_vni, a_osrc, a_isrc, a_idst} = alarm_head;
  assign a_valid = (alarm_count != '0);

  always_comb begin
    csr_rd = '0;
    unique case (csr_addr)
      nitro_regs_pkg::ADDR_ID:                      csr_rd = nitro_regs_pkg::ID_RESET;
      nitro_regs_pkg::ADDR_VERSION:                 csr_rd = nitro_regs_pkg::VERSION_RESET;
      nitro_regs_pkg::ADDR_PARAM_ENI:               csr_rd[nitro_regs_pkg::PARAM_ENI_NUM_ENI_LSB +: 16] = 16'(NUM_ENI);
      nitro_regs_pkg::ADDR_PARAM_MAP: begin
        csr_rd[nitro_regs_pkg::PARAM_MAP_WAY_DEPTH_LOG2_LSB +: 8] = 8'(MAP_WAY_DEPTH_LOG2);
        csr_rd[nitro_regs_pkg::PARAM_MAP_WAYS_LSB +: 8]           = 8'd2;
        csr_rd[nitro_regs_pkg::PARAM_MAP_BUCKET_SLOTS_LOG2_LSB +: 4] = 4'(MAP_BUCKET_SLOTS_LOG2);
      end
      nitro_regs_pkg::ADDR_PARAM_MISC: begin
        csr_rd[nitro_regs_pkg::PARAM_MISC_IP_MTU_LSB +: 16]     = 16'(IP_MTU);
        csr_rd[nitro_regs_pkg::PARAM_MISC_EDGES_LSB +: 8]       = 8'(NUM_EDGE);
        csr_rd[nitro_regs_pkg::PARAM_MISC_BATCH_DEPTH_LSB +: 8] = 8'(BATCH_DEPTH);
      end
      nitro_regs_pkg::ADDR_PARAM_FILTER: begin
        csr_rd[nitro_regs_pkg::PARAM_FILTER_ROUTE_LEVELS_LSB +: 5]  = 5'(ROUTE_LEVELS);
        csr_rd[nitro_regs_pkg::PARAM_FILTER_NUM_NACL_LSB +: 8]      = 8'(NUM_NACL);
        csr_rd[nitro_regs_pkg::PARAM_FILTER_NACL_RULES_LSB +: 8]    = 8'(NACL_RULES);
        csr_rd[nitro_regs_pkg::PARAM_FILTER_SG_RULES_LOG2_LSB +: 5] = 5'(SG_RULES_LOG2);
      end
      nitro_regs_pkg::ADDR_PARAM_CONNTRACK: begin
        csr_rd[nitro_regs_pkg::PARAM_CONNTRACK_BUCKETS_LOG2_LSB +: 5] = 5'(CT_BUCKETS_LOG2);
        csr_rd[nitro_regs_pkg::PARAM_CONNTRACK_WAYS_LSB +: 4]         = 4'(CT_WAYS);
      end
      nitro_regs_pkg::ADDR_CT_FREE:                 csr_rd = ct_free;
      nitro_regs_pkg::ADDR_FLOW_INTERVAL:           csr_rd = flow_ivl_q;
      nitro_regs_pkg::ADDR_FLOW_OVERFLOWS:          csr_rd = flow_overflows;
      nitro_regs_pkg::ADDR_PARAM_FLOW:              csr_rd[nitro_regs_pkg::PARAM_FLOW_DEPTH_LSB +: 16] = 16'((2 ** FLOW_LOG2) + 1);
      nitro_regs_pkg::ADDR_SCRATCH:                 csr_rd = scratch_q;
      nitro_regs_pkg::ADDR_UNDERLAY_IP:             csr_rd = uip_q;
      nitro_regs_pkg::ADDR_UNDERLAY_MAC_LO:         csr_rd = umac_lo_q;
      nitro_regs_pkg::ADDR_UNDERLAY_MAC_HI:         csr_rd = {16'h0, umac_hi_q};
      nitro_regs_pkg::ADDR_UNDERLAY_NEXTHOP_MAC_LO: csr_rd = nmac_lo_q;
      nitro_regs_pkg::ADDR_UNDERLAY_NEXTHOP_MAC_HI: csr_rd = {16'h0, nmac_hi_q};
      nitro_regs_pkg::ADDR_GATEWAY_MAC_LO:          csr_rd = gmac_lo_q;
      nitro_regs_pkg::ADDR_GATEWAY_MAC_HI:          csr_rd = {16'h0, gmac_hi_q};
      nitro_regs_pkg::ADDR_ALARM_MASK:              csr_rd = mask_q;
      nitro_regs_pkg::ADDR_TIME_LO:                 csr_rd = time_lo_q;
      nitro_regs_pkg::ADDR_TIME_HI:                 csr_rd = time_q[63:32];
      nitro_regs_pkg::ADDR_CYCLE_LO:                csr_rd = cycle_q[31:0];
      nitro_regs_pkg::ADDR_CYCLE_HI:                csr_rd = cycle_hi_q;
      nitro_regs_pkg::ADDR_ALARM_STATUS:            csr_rd[nitro_regs_pkg::ALARM_STATUS_COUNT_LSB +: ALARM_CNT_W] = alarm_count;
      nitro_regs_pkg::ADDR_ALARM_OVERFLOW:          csr_rd = alarm_overflow;
      nitro_regs_pkg::ADDR_ALARM_DATA + 16'd0:      csr_rd = a_valid ? a_cycle[31:0] : 32'h0;
      nitro_regs_pkg::ADDR_ALARM_DATA + 16'd4:      csr_rd = a_valid ? a_cycle[63:32] : 32'h0;
      nitro_regs_pkg::ADDR_ALARM_DATA + 16'd8:      csr_rd = a_valid ? {1'b1, 15'h0, a_slot, a_reason} : 32'h0;
      nitro_regs_pkg::ADDR_ALARM_DATA + 16'd12:     csr_rd = a_valid ? {8'h0, a_vni} : 32'h0;
      nitro_regs_pkg::ADDR_ALARM_DATA + 16'd16:     csr_rd = a_valid ? a_osrc : 32'h0;
      nitro_regs_pkg::ADDR_ALARM_DATA + 16'd20:     csr_rd = a_valid ? a_isrc : 32'h0;
      nitro_regs_pkg::ADDR_ALARM_DATA + 16'd24:     csr_rd = a_valid ? a_idst : 32'h0;
      default: ;
    endcase
  end

endmodule
