/**
 * Reference data shipped with the service. Countries come from the maintained
 * i18n-iso-countries package (see sync.ts); the rest is small enough to keep here.
 */

/** Harmonized System chapters (WCO nomenclature, 2022 edition). Chapter 77 is reserved. */
export const HS_CHAPTERS: ReadonlyArray<readonly [string, string]> = [
  ['01', 'Live animals'], ['02', 'Meat and edible meat offal'], ['03', 'Fish and crustaceans, molluscs'],
  ['04', 'Dairy produce; birds\' eggs; natural honey'], ['05', 'Products of animal origin, n.e.s.'],
  ['06', 'Live trees and other plants; cut flowers'], ['07', 'Edible vegetables and certain roots and tubers'],
  ['08', 'Edible fruit and nuts; peel of citrus fruit or melons'], ['09', 'Coffee, tea, maté and spices'],
  ['10', 'Cereals'], ['11', 'Products of the milling industry; malt; starches'],
  ['12', 'Oil seeds and oleaginous fruits; industrial or medicinal plants'], ['13', 'Lac; gums, resins'],
  ['14', 'Vegetable plaiting materials'], ['15', 'Animal, vegetable or microbial fats and oils'],
  ['16', 'Preparations of meat, fish or crustaceans'], ['17', 'Sugars and sugar confectionery'],
  ['18', 'Cocoa and cocoa preparations'], ['19', 'Preparations of cereals, flour, starch or milk'],
  ['20', 'Preparations of vegetables, fruit, nuts'], ['21', 'Miscellaneous edible preparations'],
  ['22', 'Beverages, spirits and vinegar'], ['23', 'Residues from the food industries; animal fodder'],
  ['24', 'Tobacco and manufactured tobacco substitutes'], ['25', 'Salt; sulphur; earths and stone; cement'],
  ['26', 'Ores, slag and ash'], ['27', 'Mineral fuels, mineral oils and products of their distillation'],
  ['28', 'Inorganic chemicals'], ['29', 'Organic chemicals'], ['30', 'Pharmaceutical products'],
  ['31', 'Fertilisers'], ['32', 'Tanning or dyeing extracts; paints and varnishes'],
  ['33', 'Essential oils; perfumery, cosmetic or toilet preparations'], ['34', 'Soap, washing preparations, waxes'],
  ['35', 'Albuminoidal substances; glues; enzymes'], ['36', 'Explosives; pyrotechnic products; matches'],
  ['37', 'Photographic or cinematographic goods'], ['38', 'Miscellaneous chemical products'],
  ['39', 'Plastics and articles thereof'], ['40', 'Rubber and articles thereof'],
  ['41', 'Raw hides and skins and leather'], ['42', 'Articles of leather; travel goods, handbags'],
  ['43', 'Furskins and artificial fur'], ['44', 'Wood and articles of wood; wood charcoal'],
  ['45', 'Cork and articles of cork'], ['46', 'Manufactures of straw or other plaiting materials'],
  ['47', 'Pulp of wood; recovered paper'], ['48', 'Paper and paperboard'],
  ['49', 'Printed books, newspapers, pictures'], ['50', 'Silk'], ['51', 'Wool, fine or coarse animal hair'],
  ['52', 'Cotton'], ['53', 'Other vegetable textile fibres; paper yarn'], ['54', 'Man-made filaments'],
  ['55', 'Man-made staple fibres'], ['56', 'Wadding, felt and nonwovens; twine, cordage'],
  ['57', 'Carpets and other textile floor coverings'], ['58', 'Special woven fabrics; lace; tapestries'],
  ['59', 'Impregnated, coated or laminated textile fabrics'], ['60', 'Knitted or crocheted fabrics'],
  ['61', 'Apparel, knitted or crocheted'], ['62', 'Apparel, not knitted or crocheted'],
  ['63', 'Other made up textile articles; worn clothing'], ['64', 'Footwear, gaiters'],
  ['65', 'Headgear'], ['66', 'Umbrellas, walking-sticks, whips'], ['67', 'Prepared feathers; artificial flowers'],
  ['68', 'Articles of stone, plaster, cement, asbestos, mica'], ['69', 'Ceramic products'],
  ['70', 'Glass and glassware'], ['71', 'Pearls, precious stones and metals; jewellery; coin'],
  ['72', 'Iron and steel'], ['73', 'Articles of iron or steel'], ['74', 'Copper and articles thereof'],
  ['75', 'Nickel and articles thereof'], ['76', 'Aluminium and articles thereof'],
  ['78', 'Lead and articles thereof'], ['79', 'Zinc and articles thereof'], ['80', 'Tin and articles thereof'],
  ['81', 'Other base metals; cermets'], ['82', 'Tools, implements, cutlery of base metal'],
  ['83', 'Miscellaneous articles of base metal'], ['84', 'Nuclear reactors, boilers, machinery'],
  ['85', 'Electrical machinery and equipment'], ['86', 'Railway or tramway locomotives, rolling stock'],
  ['87', 'Vehicles other than railway or tramway rolling stock'], ['88', 'Aircraft, spacecraft'],
  ['89', 'Ships, boats and floating structures'], ['90', 'Optical, photographic, measuring, medical instruments'],
  ['91', 'Clocks and watches'], ['92', 'Musical instruments'], ['93', 'Arms and ammunition'],
  ['94', 'Furniture; bedding; lamps; prefabricated buildings'], ['95', 'Toys, games and sports requisites'],
  ['96', 'Miscellaneous manufactured articles'], ['97', 'Works of art, collectors\' pieces and antiques'],
];

/**
 * HS headings the demo data and generator draw from (a subset of the ~1,200 headings; an item
 * with a heading not listed here is imported and flagged, never dropped).
 */
export const HS_HEADINGS: ReadonlyArray<readonly [string, string]> = [
  ['0201', 'Meat of bovine animals, fresh or chilled'], ['0207', 'Meat and offal of poultry'],
  ['0402', 'Milk and cream, concentrated or sweetened'], ['0406', 'Cheese and curd'],
  ['0701', 'Potatoes, fresh or chilled'], ['0702', 'Tomatoes, fresh or chilled'],
  ['0802', 'Other nuts (hazelnuts, walnuts), fresh or dried'], ['0805', 'Citrus fruit'],
  ['0806', 'Grapes, fresh or dried'], ['0808', 'Apples, pears and quinces'], ['0810', 'Other fruit (persimmons, pomegranates)'],
  ['0902', 'Tea'], ['1001', 'Wheat and meslin'], ['1101', 'Wheat or meslin flour'],
  ['1512', 'Sunflower-seed, safflower or cotton-seed oil'], ['1701', 'Cane or beet sugar'],
  ['2009', 'Fruit juices'], ['2202', 'Waters with added sugar; other non-alcoholic beverages'],
  ['2204', 'Wine of fresh grapes'], ['2208', 'Spirits, liqueurs'], ['2402', 'Cigars, cigarettes'],
  ['2523', 'Portland cement'], ['2709', 'Petroleum oils, crude'], ['2710', 'Petroleum oils, not crude'],
  ['2711', 'Petroleum gases'], ['2804', 'Hydrogen, rare gases'], ['3004', 'Medicaments, in measured doses'],
  ['3105', 'Mineral or chemical fertilisers'], ['3208', 'Paints and varnishes'], ['3304', 'Beauty or make-up preparations'],
  ['3402', 'Washing and cleaning preparations'], ['3901', 'Polymers of ethylene'], ['3917', 'Tubes, pipes and hoses of plastics'],
  ['3923', 'Articles for the conveyance of goods, of plastics'], ['4011', 'New pneumatic tyres, of rubber'],
  ['4407', 'Wood sawn lengthwise'], ['4819', 'Cartons, boxes of paper'], ['5201', 'Cotton, not carded or combed'],
  ['5701', 'Carpets, knotted'], ['6109', 'T-shirts, knitted'], ['6203', 'Men\'s suits, trousers'],
  ['6403', 'Footwear with uppers of leather'], ['6908', 'Ceramic tiles'], ['7005', 'Float glass'],
  ['7108', 'Gold, unwrought or semi-manufactured'], ['7208', 'Flat-rolled iron, hot-rolled'],
  ['7214', 'Bars and rods of iron'], ['7304', 'Tubes and pipes, seamless, of iron or steel'],
  ['7308', 'Structures of iron or steel'], ['7601', 'Unwrought aluminium'], ['8414', 'Air or vacuum pumps, compressors'],
  ['8418', 'Refrigerators, freezers'], ['8429', 'Bulldozers, graders, excavators'], ['8471', 'Automatic data-processing machines'],
  ['8481', 'Taps, cocks, valves'], ['8517', 'Telephone sets, smartphones'], ['8528', 'Monitors and projectors; television receivers'],
  ['8544', 'Insulated wire and cable'], ['8703', 'Motor cars'], ['8704', 'Motor vehicles for the transport of goods'],
  ['8708', 'Parts of motor vehicles'], ['9018', 'Medical instruments'], ['9403', 'Other furniture'],
];

/** Customs posts of the State Customs Committee used by the demo data. */
export const CUSTOMS_POSTS: ReadonlyArray<readonly [string, string, string]> = [
  ['10100', 'Bakı Baş Gömrük İdarəsi', 'Baku Main Customs Office'],
  ['10200', 'Heydər Əliyev Beynəlxalq Aeroportu gömrük postu', 'Heydar Aliyev International Airport customs post'],
  ['10300', 'Ələt Beynəlxalq Dəniz Ticarət Limanı gömrük postu', 'Alat International Sea Trade Port customs post'],
  ['20100', 'Sumqayıt gömrük postu', 'Sumgayit customs post'],
  ['30100', 'Gəncə gömrük postu', 'Ganja customs post'],
  ['30200', 'Qırmızı Körpü gömrük postu', 'Red Bridge customs post'],
  ['40100', 'Astara gömrük postu', 'Astara customs post'],
  ['40200', 'Biləsuvar gömrük postu', 'Bilasuvar customs post'],
  ['50100', 'Yalama gömrük postu', 'Yalama customs post'],
  ['60100', 'Sədərək gömrük postu', 'Sadarak customs post'],
];

/** Customs procedure codes (first two digits of the EU-style procedure code). */
export const CUSTOMS_PROCEDURES: ReadonlyArray<readonly [string, string]> = [
  ['10', 'Permanent export'], ['21', 'Temporary export'], ['23', 'Temporary export for return unaltered'],
  ['31', 'Re-export'], ['40', 'Release for free circulation'], ['51', 'Inward processing'],
  ['53', 'Temporary admission'], ['61', 'Re-import'], ['71', 'Customs warehousing'], ['78', 'Free zone'],
];

/** Mode of transport at the border. */
export const TRANSPORT_MODES: ReadonlyArray<readonly [string, string]> = [
  ['1', 'Sea transport'], ['2', 'Rail transport'], ['3', 'Road transport'], ['4', 'Air transport'],
  ['5', 'Postal consignment'], ['7', 'Fixed transport installations (pipelines, power lines)'],
  ['8', 'Inland waterway transport'], ['9', 'Own propulsion'],
];
