import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'demo' })
  @IsString()
  @Length(1, 64)
  center!: string;

  @ApiProperty({ description: 'Email for staff, pseudonym for clients', example: 'anna@demo.example' })
  @IsString()
  @Length(1, 254)
  login!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 1024)
  password!: string;
}

export class RegisterDto {
  @ApiProperty({ example: 'demo' })
  @IsString()
  @Length(1, 64)
  center!: string;

  @ApiProperty({ description: 'A pseudonym, 3–40 letters, digits, dot, hyphen or underscore', example: 'blue-heron' })
  @IsString()
  @Length(1, 100)
  username!: string;

  @ApiProperty({ description: '8 characters to 72 bytes, not a common password' })
  @IsString()
  @Length(1, 1024)
  password!: string;

  @ApiPropertyOptional({ description: 'Optional; used for notifications only after the double opt-in' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @Length(1, 1024)
  currentPassword!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 1024)
  newPassword!: string;
}

export class ConfirmEmailDto {
  @ApiProperty()
  @IsString()
  @Length(1, 64)
  center!: string;

  @ApiProperty()
  @IsString()
  @MinLength(20)
  @MaxLength(100)
  token!: string;
}

export class DeleteAccountDto {
  @ApiProperty({ description: 'The current password, to confirm' })
  @IsString()
  @Length(1, 1024)
  password!: string;
}

export class RequestPasswordResetDto {
  @ApiProperty({ example: 'demo' })
  @IsString()
  @Length(1, 64)
  center!: string;

  @ApiProperty({ description: 'Email for staff, pseudonym for clients', example: 'blue-heron' })
  @IsString()
  @Length(1, 254)
  login!: string;
}

export class ConfirmPasswordResetDto {
  @ApiProperty({ example: 'demo' })
  @IsString()
  @Length(1, 64)
  center!: string;

  @ApiProperty({ description: 'The token from the reset link (its #token= fragment)' })
  @IsString()
  @MinLength(20)
  @MaxLength(100)
  token!: string;

  @ApiProperty({ description: 'The new password: 8 characters to 72 bytes, not a common password' })
  @IsString()
  @Length(1, 1024)
  password!: string;
}
