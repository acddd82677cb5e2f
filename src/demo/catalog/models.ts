// The shapes the repositories return and the resolvers receive as parents (codegen's mappers).
// Money is held in integer cents; the resolvers turn it into the schema's decimal amounts.

/** A category row. */
export interface CategoryRow {
  readonly id: number;
  readonly name: string;
  readonly slug: string;
}

/** A product row. */
export interface ProductRow {
  readonly id: number;
  readonly categoryId: number;
  readonly name: string;
  readonly description: string;
  readonly priceCents: number;
  readonly wholesaleCents: number;
  readonly currency: string;
  readonly stock: number;
}

/** A review row. */
export interface ReviewRow {
  readonly id: number;
  readonly productId: number;
  readonly author: string;
  readonly rating: number;
  readonly body: string;
  readonly createdAt: string;
}

/** A user row, without the password hash, which never leaves the users repository. */
export interface UserRow {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly balanceCents: number;
  readonly createdAt: string;
}

/** One line of a cart, priced at the product's current price. */
export interface CartItemRow {
  readonly productId: number;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

/** A user's cart. */
export interface CartModel {
  readonly userId: string;
  readonly items: readonly CartItemRow[];
}

/** One line of an order, at the price of the moment it was placed. */
export interface OrderItemRow {
  readonly productId: number;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

/** An order with its lines. */
export interface OrderModel {
  readonly id: number;
  readonly userId: string;
  readonly totalCents: number;
  readonly currency: string;
  readonly status: 'PLACED' | 'SHIPPED' | 'CANCELLED';
  readonly createdAt: string;
  readonly items: readonly OrderItemRow[];
}

/** The outcome of a gift card redemption. */
export interface GiftCardRedemptionModel {
  readonly amountCents: number;
  readonly balanceCents: number;
  readonly currency: string;
}

/** What `products` filters on; `undefined` keeps everything. */
export interface ProductFilter {
  readonly categoryId: number | undefined;
  readonly nameContains: string | undefined;
}

/** One page of products, with what it takes to count every match later. */
export interface ProductPage {
  readonly edges: readonly { readonly cursor: string; readonly node: ProductRow }[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  readonly filter: ProductFilter;
}
